/* A test-only stand-in for Windows 10's bcryptprimitives.dll, which
   Debian 12's Wine 8.0 lacks (Wine has it from 8.13): Rust's standard
   library (1.78 and later) takes its random numbers from ProcessPrng
   there, so without it every Rust program exits at once under Wine.
   Built into the Wine prefix by scripts/lib.sh (ensure_windows_test);
   never shipped: every Windows 10 and 11 has the real one. */
#include <windows.h>
#include <ntsecapi.h> /* RtlGenRandom, advapi32's SystemFunction036 */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
