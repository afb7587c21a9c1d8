//! The geography and networks of a tenant: four country profiles (cities, offices, home ISPs,
//! mobile carriers, a corporate VPN egress in a neighbouring country, Microsoft data centres), trip
//! destinations, attacker infrastructure, and the apps people use.
//!
//! Addresses are synthetic: each network owns a made-up `/16` (`a.b`) and hands out `/24`s of it.
//! ASNs are real operators' numbers for the kind of network they stand for, so a classifier of ASNs
//! (carrier, hosting, Microsoft) has something to work with.

use super::{Config, Rng};

/// A place sign-ins are located at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct City {
    pub name: &'static str,
    pub state: &'static str,
    pub cc: &'static str,
    pub lat: f64,
    pub lon: f64,
    /// Hours east of UTC (winter time).
    pub tz: i32,
}

const fn c(name: &'static str, state: &'static str, cc: &'static str, lat: f64, lon: f64, tz: i32) -> City {
    City { name, state, cc, lat, lon, tz }
}

/// A network operator: its ASN, name and synthetic address block `a.b.0.0/16`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Net {
    pub asn: u32,
    pub name: &'static str,
    pub block: (u8, u8),
}

const fn n(asn: u32, name: &'static str, a: u8, b: u8) -> Net {
    Net { asn, name, block: (a, b) }
}

impl Net {
    /// An address in the `/24` numbered `sub` of this network.
    pub fn ip(&self, sub: u8, host: u8) -> String {
        format!("{}.{}.{}.{}", self.block.0, self.block.1, sub, host.max(1))
    }

    /// A random address anywhere in the network.
    pub fn any_ip(&self, rng: &mut Rng) -> String {
        self.ip(rng.below(256) as u8, rng.range(1, 254) as u8)
    }
}

/// Everything a tenant in one country uses.
#[derive(Debug)]
pub struct Country {
    pub cc: &'static str,
    pub domain: &'static str,
    pub cities: &'static [City],
    /// Indices into `cities` of the offices.
    pub offices: &'static [usize],
    pub home_isps: &'static [Net],
    /// Mobile carriers and the cities (indices) their address pools geolocate to.
    pub carriers: &'static [(Net, &'static [usize])],
    pub business_isp: Net,
    /// The corporate VPN / SDP egress in a neighbouring country.
    pub vpn_city: City,
    pub vpn: Net,
    /// Where Microsoft's service-side sign-ins are located for this region.
    pub ms_cities: &'static [City],
}

pub const MICROSOFT: Net = n(8075, "MICROSOFT-CORP-MSN-AS-BLOCK", 52, 96);

static US_CITIES: &[City] = &[
    c("New York", "New York", "US", 40.7128, -74.0060, -5),
    c("Chicago", "Illinois", "US", 41.8781, -87.6298, -6),
    c("Boston", "Massachusetts", "US", 42.3601, -71.0589, -5),
    c("Dallas", "Texas", "US", 32.7767, -96.7970, -6),
    c("Atlanta", "Georgia", "US", 33.7490, -84.3880, -5),
    c("Denver", "Colorado", "US", 39.7392, -104.9903, -7),
    c("Seattle", "Washington", "US", 47.6062, -122.3321, -8),
    c("San Francisco", "California", "US", 37.7749, -122.4194, -8),
    c("Philadelphia", "Pennsylvania", "US", 39.9526, -75.1652, -5),
    c("Minneapolis", "Minnesota", "US", 44.9778, -93.2650, -6),
    c("Phoenix", "Arizona", "US", 33.4484, -112.0740, -7),
    c("Newark", "New Jersey", "US", 40.7357, -74.1724, -5),
];

static DE_CITIES: &[City] = &[
    c("Munich", "Bavaria", "DE", 48.1351, 11.5820, 1),
    c("Berlin", "Berlin", "DE", 52.5200, 13.4050, 1),
    c("Hamburg", "Hamburg", "DE", 53.5511, 9.9937, 1),
    c("Frankfurt am Main", "Hesse", "DE", 50.1109, 8.6821, 1),
    c("Cologne", "North Rhine-Westphalia", "DE", 50.9375, 6.9603, 1),
    c("Stuttgart", "Baden-Wurttemberg", "DE", 48.7758, 9.1829, 1),
    c("Dusseldorf", "North Rhine-Westphalia", "DE", 51.2277, 6.7735, 1),
    c("Leipzig", "Saxony", "DE", 51.3397, 12.3731, 1),
    c("Hanover", "Lower Saxony", "DE", 52.3759, 9.7320, 1),
    c("Nuremberg", "Bavaria", "DE", 49.4521, 11.0767, 1),
];

static GB_CITIES: &[City] = &[
    c("London", "England", "GB", 51.5074, -0.1278, 0),
    c("Manchester", "England", "GB", 53.4808, -2.2426, 0),
    c("Birmingham", "England", "GB", 52.4862, -1.8904, 0),
    c("Leeds", "England", "GB", 53.8008, -1.5491, 0),
    c("Glasgow", "Scotland", "GB", 55.8642, -4.2518, 0),
    c("Bristol", "England", "GB", 51.4545, -2.5879, 0),
    c("Edinburgh", "Scotland", "GB", 55.9533, -3.1883, 0),
    c("Newcastle upon Tyne", "England", "GB", 54.9783, -1.6178, 0),
    c("Cardiff", "Wales", "GB", 51.4816, -3.1791, 0),
    c("Norwich", "England", "GB", 52.6309, 1.2974, 0),
];

static FR_CITIES: &[City] = &[
    c("Paris", "Ile-de-France", "FR", 48.8566, 2.3522, 1),
    c("Lyon", "Auvergne-Rhone-Alpes", "FR", 45.7640, 4.8357, 1),
    c("Marseille", "Provence-Alpes-Cote d'Azur", "FR", 43.2965, 5.3698, 1),
    c("Toulouse", "Occitanie", "FR", 43.6047, 1.4442, 1),
    c("Lille", "Hauts-de-France", "FR", 50.6292, 3.0573, 1),
    c("Bordeaux", "Nouvelle-Aquitaine", "FR", 44.8378, -0.5792, 1),
    c("Nantes", "Pays de la Loire", "FR", 47.2184, -1.5536, 1),
    c("Strasbourg", "Grand Est", "FR", 48.5734, 7.7521, 1),
    c("Rennes", "Brittany", "FR", 48.1173, -1.6778, 1),
    c("Nice", "Provence-Alpes-Cote d'Azur", "FR", 43.7102, 7.2620, 1),
];

static US: Country = Country {
    cc: "US",
    domain: "tailspin-us.example",
    cities: US_CITIES,
    offices: &[0, 1],
    home_isps: &[
        n(7922, "COMCAST-7922", 73, 12),
        n(20115, "CHARTER-20115", 71, 84),
        n(701, "UUNET (Verizon Fios)", 108, 28),
        n(7018, "ATT-INTERNET4", 99, 40),
    ],
    carriers: &[
        (n(21928, "T-MOBILE-AS21928", 172, 56), &[0, 3, 7, 1]),
        (n(22394, "CELLCO (Verizon Wireless)", 174, 205), &[4, 6, 3]),
        (n(20057, "ATT-MOBILITY-LLC-AS20057", 166, 137), &[3, 1, 11]),
    ],
    business_isp: n(3356, "LEVEL3 (Lumen)", 4, 14),
    vpn_city: c("Toronto", "Ontario", "CA", 43.6532, -79.3832, -5),
    vpn: n(53813, "ZSCALER-INC", 165, 225),
    ms_cities: &[
        c("Boydton", "Virginia", "US", 36.6676, -78.3875, -5),
        c("San Antonio", "Texas", "US", 29.4241, -98.4936, -6),
        c("Des Moines", "Iowa", "US", 41.5868, -93.6250, -6),
        c("Quincy", "Washington", "US", 47.2343, -119.8526, -8),
    ],
};

static DE: Country = Country {
    cc: "DE",
    domain: "tailspin-de.example",
    cities: DE_CITIES,
    offices: &[0, 1],
    home_isps: &[
        n(3320, "DTAG (Deutsche Telekom)", 87, 150),
        n(3209, "VODANET (Vodafone)", 88, 64),
        n(8881, "VERSATEL (1&1)", 91, 3),
        n(6805, "TDDE (Telefonica)", 89, 204),
    ],
    // Telekom and Vodafone run fixed and mobile networks under one ASN, as in real life.
    carriers: &[
        (n(3320, "DTAG (Deutsche Telekom)", 80, 187), &[3, 2, 0]),
        (n(3209, "VODANET (Vodafone)", 178, 24), &[6, 1, 3]),
        (n(6805, "TDDE (Telefonica o2)", 176, 0), &[0, 2, 6]),
    ],
    business_isp: n(8220, "COLT", 62, 96),
    vpn_city: c("Amsterdam", "North Holland", "NL", 52.3676, 4.9041, 1),
    vpn: n(53813, "ZSCALER-INC", 165, 225),
    ms_cities: &[
        c("Frankfurt am Main", "Hesse", "DE", 50.1109, 8.6821, 1),
        c("Amsterdam", "North Holland", "NL", 52.3676, 4.9041, 1),
        c("Dublin", "Leinster", "IE", 53.3498, -6.2603, 0),
    ],
};

static GB: Country = Country {
    cc: "GB",
    domain: "tailspin-uk.example",
    cities: GB_CITIES,
    offices: &[0, 1],
    home_isps: &[
        n(2856, "BT-UK-AS", 86, 128),
        n(5089, "NTL (Virgin Media)", 82, 2),
        n(5607, "BSKYB-BROADBAND-AS", 90, 200),
        n(13285, "OPALTELECOM-AS (TalkTalk)", 92, 24),
    ],
    carriers: &[
        (n(12576, "EE Limited", 31, 94), &[0, 2, 1]),
        (n(25135, "VODAFONE_UK-ASN", 85, 255), &[0, 5, 3]),
        (n(206067, "H3GUK (Three)", 92, 40), &[0, 1, 4]),
        (n(35228, "O2 UK", 82, 132), &[2, 0, 7]),
    ],
    business_isp: n(8220, "COLT", 62, 96),
    vpn_city: c("Dublin", "Leinster", "IE", 53.3498, -6.2603, 0),
    vpn: n(53813, "ZSCALER-INC", 165, 225),
    ms_cities: &[
        c("London", "England", "GB", 51.5074, -0.1278, 0),
        c("Cardiff", "Wales", "GB", 51.4816, -3.1791, 0),
        c("Dublin", "Leinster", "IE", 53.3498, -6.2603, 0),
        c("Amsterdam", "North Holland", "NL", 52.3676, 4.9041, 1),
    ],
};

static FR: Country = Country {
    cc: "FR",
    domain: "tailspin-fr.example",
    cities: FR_CITIES,
    offices: &[0, 1],
    home_isps: &[
        n(3215, "FRANCE-TELECOM (Orange)", 90, 12),
        n(12322, "PROXAD (Free)", 88, 160),
        n(15557, "LDCOMNET (SFR)", 77, 128),
        n(5410, "BOUYGTEL-ISP", 89, 80),
    ],
    carriers: &[
        (n(3215, "FRANCE-TELECOM (Orange)", 92, 184), &[0, 1, 2]),
        (n(51207, "FREEM (Free Mobile)", 37, 165), &[0, 2, 4]),
        (n(15557, "LDCOMNET (SFR)", 37, 170), &[0, 1, 5]),
    ],
    business_isp: n(8220, "COLT", 62, 96),
    vpn_city: c("Brussels", "Brussels", "BE", 50.8503, 4.3517, 1),
    vpn: n(53813, "ZSCALER-INC", 165, 225),
    ms_cities: &[
        c("Paris", "Ile-de-France", "FR", 48.8566, 2.3522, 1),
        c("Marseille", "Provence-Alpes-Cote d'Azur", "FR", 43.2965, 5.3698, 1),
        c("Amsterdam", "North Holland", "NL", 52.3676, 4.9041, 1),
        c("Dublin", "Leinster", "IE", 53.3498, -6.2603, 0),
    ],
};

static PROFILES: [&Country; 4] = [&US, &DE, &GB, &FR];

/// The country profile of a configuration.
pub fn profile(cfg: &Config) -> &'static Country {
    if let Some(cc) = &cfg.country
        && let Some(p) = PROFILES.iter().find(|p| p.cc.eq_ignore_ascii_case(cc))
    {
        return p;
    }
    PROFILES[(cfg.seed % PROFILES.len() as u64) as usize]
}

/// Business-trip destinations abroad, each with a local hotel / conference network.
pub static DESTINATIONS: &[(City, Net)] = &[
    (c("London", "England", "GB", 51.5074, -0.1278, 0), n(2856, "BT-UK-AS", 81, 2)),
    (c("Paris", "Ile-de-France", "FR", 48.8566, 2.3522, 1), n(3215, "FRANCE-TELECOM (Orange)", 90, 40)),
    (c("Frankfurt am Main", "Hesse", "DE", 50.1109, 8.6821, 1), n(3320, "DTAG (Deutsche Telekom)", 93, 220)),
    (c("Madrid", "Madrid", "ES", 40.4168, -3.7038, 1), n(3352, "TELEFONICA-DATA-ESPANA", 83, 40)),
    (c("Milan", "Lombardy", "IT", 45.4642, 9.1900, 1), n(3269, "ASN-IBSNAZ (TIM)", 79, 10)),
    (c("New York", "New York", "US", 40.7128, -74.0060, -5), n(7922, "COMCAST-7922", 73, 200)),
    (c("Toronto", "Ontario", "CA", 43.6532, -79.3832, -5), n(812, "ROGERS-COMMUNICATIONS", 99, 224)),
    (c("Tokyo", "Tokyo", "JP", 35.6762, 139.6503, 9), n(2516, "KDDI", 106, 128)),
    (c("Singapore", "Singapore", "SG", 1.3521, 103.8198, 8), n(9506, "SINGTEL-FIBRE", 116, 86)),
    (c("Dubai", "Dubai", "AE", 25.2048, 55.2708, 4), n(5384, "EMIRATES-INTERNET", 94, 200)),
    (c("Stockholm", "Stockholm", "SE", 59.3293, 18.0686, 1), n(3301, "TELIANET-SWEDEN", 78, 72)),
    (c("Warsaw", "Masovia", "PL", 52.2297, 21.0122, 1), n(5617, "TPNET (Orange Polska)", 83, 24)),
    (c("Mexico City", "CDMX", "MX", 19.4326, -99.1332, -6), n(8151, "UNINET (Telmex)", 187, 188)),
    (c("Sao Paulo", "Sao Paulo", "BR", -23.5505, -46.6333, -3), n(28573, "CLARO (NET Servicos)", 177, 32)),
    (c("Sydney", "New South Wales", "AU", -33.8688, 151.2093, 11), n(1221, "ASN-TELSTRA", 110, 140)),
    (c("Mumbai", "Maharashtra", "IN", 19.0760, 72.8777, 5), n(9829, "BSNL-NIB", 117, 200)),
];

/// Attacker infrastructure: hosting / VPS providers (with their data-centre city).
pub static HOSTING: &[(City, Net)] = &[
    (c("Amsterdam", "North Holland", "NL", 52.3676, 4.9041, 1), n(14061, "DIGITALOCEAN-ASN", 167, 99)),
    (c("Frankfurt am Main", "Hesse", "DE", 50.1109, 8.6821, 1), n(14061, "DIGITALOCEAN-ASN", 164, 90)),
    (c("Falkenstein", "Saxony", "DE", 50.4779, 12.3713, 1), n(24940, "HETZNER-AS", 88, 198)),
    (c("Roubaix", "Hauts-de-France", "FR", 50.6942, 3.1746, 1), n(16276, "OVH", 51, 38)),
    (c("Bucharest", "Bucharest", "RO", 44.4268, 26.1025, 2), n(9009, "M247", 185, 156)),
    (c("Ashburn", "Virginia", "US", 39.0438, -77.4874, -5), n(16509, "AMAZON-02", 3, 208)),
    (c("Newark", "New Jersey", "US", 40.7357, -74.1724, -5), n(63949, "AKAMAI-LINODE-AP", 45, 79)),
    (c("Dallas", "Texas", "US", 32.7767, -96.7970, -6), n(20473, "AS-CHOOPA (Vultr)", 45, 32)),
    (c("Singapore", "Singapore", "SG", 1.3521, 103.8198, 8), n(14061, "DIGITALOCEAN-ASN", 128, 199)),
    (c("London", "England", "GB", 51.5074, -0.1278, 0), n(9009, "M247", 89, 238)),
    (c("Nuremberg", "Bavaria", "DE", 49.4521, 11.0767, 1), n(51167, "CONTABO", 161, 97)),
    (c("Paris", "Ile-de-France", "FR", 48.8566, 2.3522, 1), n(16276, "OVH", 54, 36)),
];

/// Attackers' own or compromised residential networks abroad.
pub static FOREIGN_RESIDENTIAL: &[(City, Net)] = &[
    (c("Lagos", "Lagos", "NG", 6.5244, 3.3792, 1), n(29465, "VCG-AS (MTN Nigeria)", 102, 89)),
    (c("Moscow", "Moscow", "RU", 55.7558, 37.6173, 3), n(12389, "ROSTELECOM-AS", 95, 24)),
    (c("Sao Paulo", "Sao Paulo", "BR", -23.5505, -46.6333, -3), n(26599, "TELEFONICA BRASIL", 177, 100)),
    (c("Hanoi", "Hanoi", "VN", 21.0278, 105.8342, 7), n(7552, "VIETEL-AS-AP", 27, 72)),
    (c("Istanbul", "Istanbul", "TR", 41.0082, 28.9784, 3), n(9121, "TTNET", 78, 180)),
    (c("Shanghai", "Shanghai", "CN", 31.2304, 121.4737, 8), n(4812, "CHINANET-SH", 101, 80)),
];

/// Tor exit relays.
pub static TOR: &[(City, Net)] = &[
    (c("Berlin", "Berlin", "DE", 52.5200, 13.4050, 1), n(60729, "ZWIEBELFREUNDE", 185, 220)),
    (c("Vienna", "Vienna", "AT", 48.2082, 16.3738, 1), n(208323, "APPLIEDPRIVACY-AS", 109, 70)),
];

/// `(display name, app id)`.
pub type App = (&'static str, &'static str);

pub const OFFICE_HOME: App = ("OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca");
pub const OUTLOOK_DESKTOP: App = ("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c");
pub const TEAMS: App = ("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264");
pub const ONEDRIVE: App = ("OneDrive SyncEngine", "ab9b8c07-8f02-4f72-87fa-80105867a763");
pub const OUTLOOK_MOBILE: App = ("Outlook Mobile", "27922004-5251-4030-b22d-91ecd9a37ea4");
pub const EXCHANGE: App = ("Office 365 Exchange Online", "00000002-0000-0ff1-ce00-000000000000");
pub const SHAREPOINT: App = ("Office 365 SharePoint Online", "00000003-0000-0ff1-ce00-000000000000");
pub const GRAPH: App = ("Microsoft Graph", "00000003-0000-0000-c000-000000000000");
pub const AZURE_PORTAL: App = ("Azure Portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c");
pub const AZURE_MGMT: App = ("Windows Azure Service Management API", "797f4846-ba00-4fd7-ba43-dac1f8f63013");
pub const GRAPH_POWERSHELL: App = ("Microsoft Graph Command Line Tools", "14d82eec-204b-4c2f-b7e8-296a70dab67e");
pub const AZURE_CLI: App = ("Microsoft Azure CLI", "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
pub const BROKER: App = ("Microsoft Authentication Broker", "29d9ed98-a469-4536-ade2-f981bc1d605e");
pub const MY_SIGNINS: App = ("My Signins", "19db86c3-b2b9-44cc-b339-36da233a3be2");
pub const LOB_APP: App = ("Tailspin Payroll Sync", "3f1d6a2c-8b0e-4c55-9d3e-2a7b5c9e1f40");
pub const AAD_GRAPH: App = ("Windows Azure Active Directory", "00000002-0000-0000-c000-000000000000");
pub const ACTIVESYNC_APP: App = ("Exchange ActiveSync", "00000002-0000-0ff1-ce00-000000000000");
