//! The figures of a run, as text.

use super::{Report, Spec};

impl Report {
    /// The figures as a few lines of text.
    pub fn print(&self, spec: &Spec, server: &str) {
        let l = spec.layout;
        let kb = |v: Option<u64>| v.map_or("-".to_owned(), |v| format!("{} kB", thousands(v)));
        let rooms = if l.rooms == 1 {
            format!("1 room of {}", l.members)
        } else {
            format!(
                "{} rooms of {}-{}",
                l.rooms,
                l.members_in(l.rooms - 1),
                l.members_in(0)
            )
        };
        println!(
            "scale: {} members in {rooms}; {server}",
            thousands(l.members as u64)
        );
        let cpu_s = |a: Option<u64>, b: Option<u64>| {
            a.zip(b).map_or("-".to_owned(), |(a, b)| {
                format!("{:.2} s", b.saturating_sub(a) as f64 / 1e6)
            })
        };
        println!(
            "ramp     all in their rooms after {:.2} s ({:.0} joins/s; {}/s offered, at most {} handshakes at once); \
             notices drained at {:.2} s; server CPU {}; gaps {}",
            self.ramp_s,
            l.members as f64 / self.ramp_s.max(1e-9),
            spec.connect_rate,
            spec.handshakes,
            self.settled_s,
            cpu_s(self.before.cpu_us, self.idle.cpu_us),
            self.ramp_gaps,
        );
        let per_member =
            self.before
                .rss_kb
                .zip(self.idle.rss_kb)
                .map_or(String::new(), |(a, b)| {
                    format!(
                        " (before the ramp {}: {:+.1} kB per member)",
                        kb(Some(a)),
                        (b as f64 - a as f64) / l.members as f64
                    )
                });
        println!(
            "idle     server RSS {}{per_member}, peak {}",
            kb(self.idle.rss_kb),
            kb(self.idle.hwm_kb)
        );
        let Some(t) = &self.traffic else {
            return;
        };
        let c = &t.counts;
        println!(
            "traffic  {} senders x {} messages of {} bytes ({}/s each for {:.0} s)",
            l.senders.min(l.members),
            l.messages,
            spec.size,
            spec.rate,
            f64::from(l.messages) / spec.rate
        );
        println!(
            "         expected {}  received {}  lost {}  duplicated {}  out of order {}  corrupt {}  stray {}  gaps {}  refused {}",
            thousands(c.expected),
            thousands(c.delivered),
            thousands(c.lost()),
            c.duplicated,
            c.out_of_order,
            c.corrupt,
            c.stray,
            c.gaps,
            c.refused
        );
        let ms =
            |v: Option<u32>| v.map_or("-".to_owned(), |v| format!("{:.2} ms", f64::from(v) / 1e3));
        println!(
            "         send to receive: p50 {}  p99 {}  max {}",
            ms(t.p50_us),
            ms(t.p99_us),
            ms(t.max_us)
        );
        let per_delivery = match t.server_cpu_us {
            Some(us) if c.delivered > 0 => {
                format!(" ({:.2} µs per delivery)", us as f64 / c.delivered as f64)
            }
            _ => String::new(),
        };
        let s = |v: Option<u64>| v.map_or("-".to_owned(), |us| format!("{:.2} s", us as f64 / 1e6));
        println!(
            "         {} deliveries in {:.2} s; server CPU {}{per_delivery}, RSS {}, peak {}; generator CPU {}",
            thousands(c.delivered),
            t.seconds,
            s(t.server_cpu_us),
            kb(t.after.rss_kb),
            kb(t.after.hwm_kb),
            s(t.generator_cpu_us),
        );
    }

    /// The figures as one JSON object.
    pub fn json(&self, spec: &Spec) -> String {
        let l = spec.layout;
        let opt = |v: Option<u64>| v.map_or("null".to_owned(), |v| v.to_string());
        let mut s = format!(
            "{{\"members\":{},\"rooms\":{},\"senders\":{},\"messages\":{},\"rate\":{},\"size\":{},\
             \"ramp_s\":{:.3},\"settled_s\":{:.3},\"ramp_gaps\":{},\"ramp_server_cpu_us\":{},\
             \"rss_before_kb\":{},\"idle_rss_kb\":{},\"idle_hwm_kb\":{}",
            l.members,
            l.rooms,
            l.senders.min(l.members),
            l.messages,
            spec.rate,
            spec.size,
            self.ramp_s,
            self.settled_s,
            self.ramp_gaps,
            opt(self
                .before
                .cpu_us
                .zip(self.idle.cpu_us)
                .map(|(a, b)| b.saturating_sub(a))),
            opt(self.before.rss_kb),
            opt(self.idle.rss_kb),
            opt(self.idle.hwm_kb),
        );
        if let Some(t) = &self.traffic {
            let c = &t.counts;
            let us = |v: Option<u32>| opt(v.map(u64::from));
            s += &format!(
                ",\"expected\":{},\"received\":{},\"lost\":{},\"duplicated\":{},\"out_of_order\":{},\
                 \"corrupt\":{},\"stray\":{},\"gaps\":{},\"refused\":{},\"p50_us\":{},\"p99_us\":{},\
                 \"max_us\":{},\"traffic_s\":{:.3},\"traffic_server_cpu_us\":{},\"generator_cpu_us\":{},\"rss_kb\":{},\"hwm_kb\":{}",
                c.expected,
                c.delivered,
                c.lost(),
                c.duplicated,
                c.out_of_order,
                c.corrupt,
                c.stray,
                c.gaps,
                c.refused,
                us(t.p50_us),
                us(t.p99_us),
                us(t.max_us),
                t.seconds,
                opt(t.server_cpu_us),
                opt(t.generator_cpu_us),
                opt(t.after.rss_kb),
                opt(t.after.hwm_kb),
            );
        }
        s.push('}');
        s
    }
}

/// `12345678` as `12,345,678`.
pub fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }
}
