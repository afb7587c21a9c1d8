//! The accounts that are not people: a service account signing in every hour around the clock, an
//! automation account running an admin's PowerShell report every night, and the scan-to-email
//! printer using Authenticated SMTP every weekday from the office.

use super::catalog::{AUTOMATION_UA, SERVICE_UA};
use super::people::{Loc, PASSWORD_OK, World};
use super::{DAY, HOUR, MINUTE, Rng, local, places, weekday};

impl World {
    pub(super) fn service_account(&mut self, u: usize, rng: &mut Rng) {
        let country = self.country;
        let net = country.business_isp;
        let loc = Loc::on(&net, net.ip(200, 20), &country.cities[country.offices[0]]);
        let mut t = self.start + rng.range(0, 59) * MINUTE;
        while t < super::END {
            let mut r = self.base(u, t, &loc);
            r.app = places::LOB_APP;
            r.resource = places::GRAPH;
            r.client = "Mobile Apps and Desktop clients";
            r.ua = SERVICE_UA.into();
            r.requirement = "singleFactorAuthentication";
            r.steps = vec![PASSWORD_OK];
            self.push(r);
            t += HOUR + rng.range(-3, 3) * MINUTE;
        }
    }

    pub(super) fn automation_account(&mut self, u: usize, rng: &mut Rng) {
        let country = self.country;
        let net = country.business_isp;
        let city = &country.cities[country.offices[0]];
        let loc = Loc::on(&net, net.ip(200, 21), city);
        let mut day = self.start;
        while day < super::END {
            if weekday(day) < 5 {
                let t = local(day, city.tz, 2.0) + rng.range(0, 10) * MINUTE;
                let mut r = self.base(u, t, &loc);
                r.app = places::GRAPH_POWERSHELL;
                r.resource = places::GRAPH;
                r.client = "Mobile Apps and Desktop clients";
                r.ua = AUTOMATION_UA.into();
                r.requirement = "singleFactorAuthentication";
                r.steps = vec![PASSWORD_OK];
                let id = self.push(r);
                self.decoy("automation", "medium", u, &id);
            }
            day += DAY;
        }
    }

    pub(super) fn printer(&mut self, u: usize, rng: &mut Rng) {
        let country = self.country;
        let city = &country.cities[country.offices[0]];
        let mut day = self.start;
        while day < super::END {
            if weekday(day) < 5 {
                let mut h = 7.0 + rng.below(60) as f64 / 60.0;
                while h < 18.5 {
                    let loc = self.office_loc(u);
                    let mut r = self.base(u, local(day, city.tz, h), &Loc { place: city, ..loc });
                    r.app = places::EXCHANGE;
                    r.resource = places::EXCHANGE;
                    r.client = "Authenticated SMTP";
                    r.requirement = "singleFactorAuthentication";
                    r.steps = vec![PASSWORD_OK];
                    let id = self.push(r);
                    self.decoy("printer", "medium", u, &id);
                    h += (20 + rng.below(45)) as f64 / 60.0;
                }
            }
            day += DAY;
        }
    }
}
