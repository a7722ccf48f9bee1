//! The open-file limit: a load generator holding thousands of connections
//! needs more descriptors than the usual soft limit of 1,024.

use std::io;

/// Raise the soft open-file limit (`RLIMIT_NOFILE`) to the hard limit and
/// check that `need` descriptors fit; returns the limit now in force.
///
/// # Errors
/// When the limit cannot be read or raised, or even the hard limit is
/// below `need`: the message says how to raise it.
#[cfg(unix)]
pub fn raise_open_files(need: u64) -> io::Result<u64> {
    // Ask for everything: a server this tool starts inherits the limit.
    let soft = rlimit::increase_nofile_limit(u64::MAX)
        .map_err(|e| io::Error::other(format!("cannot raise the open-file limit: {e}")))?;
    if soft < need {
        let hard = rlimit::Resource::NOFILE
            .get()
            .map_or("unknown".to_owned(), |(_, hard)| hard.to_string());
        return Err(io::Error::other(format!(
            "the open-file limit is {soft} (hard limit {hard}), and this run needs about {need} \
             descriptors: raise the hard limit (as root: `ulimit -Hn {need}` in the shell \
             that starts natter-bench, or `nofile` in /etc/security/limits.conf), or ask \
             for fewer members"
        )));
    }
    Ok(soft)
}

/// Windows has no such limit on sockets.
#[cfg(not(unix))]
pub fn raise_open_files(need: u64) -> io::Result<u64> {
    Ok(need)
}
