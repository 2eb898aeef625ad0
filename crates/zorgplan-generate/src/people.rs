//! People: small, realistic Dutch child Patients, their names, citizen service numbers and
//! addresses, and the pseudo-random numbers that vary them.

use serde_json::json;

/// xorshift64*: fast, small and good enough to spread requests; not for anything secret.
pub struct Rng(u64);

impl Rng {
    /// A generator for one connection; distinct `stream`s give distinct sequences.
    pub fn new(seed: u64, stream: u64) -> Rng {
        // SplitMix64 of the inputs, so neighbouring streams do not start out correlated.
        let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        // The high bits of xorshift64* are its best; the bias of `%` is irrelevant here.
        ((self.next_u64() >> 11) % n as u64) as usize
    }

    /// One of `items` (not empty).
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

pub const GIVEN_NAMES_BOYS: &[&str] = &[
    "Noah", "Daan", "Sem", "Lucas", "Finn", "Levi", "Luuk", "Bram", "Milan", "Jesse", "Thijs",
    "Mees",
];
pub const GIVEN_NAMES_GIRLS: &[&str] = &[
    "Emma", "Julia", "Mila", "Tess", "Sophie", "Zoë", "Nora", "Sara", "Yara", "Saar", "Lotte",
    "Fenna",
];
pub const FAMILY_NAMES: &[&str] = &[
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
];
pub const STREETS: &[&str] = &[
    "Kerkstraat",
    "Dorpsstraat",
    "Molenweg",
    "Schoolstraat",
    "Stationsweg",
    "Julianastraat",
    "Beatrixlaan",
    "Lindelaan",
    "Nieuwstraat",
    "Wilhelminastraat",
];
/// City and the first four digits of one of its postal codes.
pub const CITIES: &[(&str, u16)] = &[
    ("Amsterdam", 1012),
    ("Rotterdam", 3011),
    ("Den Haag", 2511),
    ("Utrecht", 3511),
    ("Eindhoven", 5611),
    ("Groningen", 9711),
    ("Tilburg", 5038),
    ("Almere", 1315),
    ("Breda", 4811),
    ("Nijmegen", 6511),
    ("Zwolle", 8011),
    ("Leeuwarden", 8911),
];

/// A nine-digit citizen service number that passes the eleven test
/// (9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 mod 11).
pub fn bsn(rng: &mut Rng) -> String {
    loop {
        let mut digits = [0u8; 9];
        digits[0] = 1 + rng.below(9) as u8;
        for d in &mut digits[1..8] {
            *d = rng.below(10) as u8;
        }
        let sum: u32 = digits[..8]
            .iter()
            .zip((2..=9).rev())
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        let check = sum % 11;
        if check == 10 {
            continue;
        }
        digits[8] = check as u8;
        return digits.iter().map(|d| char::from(b'0' + d)).collect();
    }
}

/// The `n`th of a series of distinct citizen service numbers that pass the eleven test (for
/// `n` below 29 million).
pub fn numbered_bsn(n: usize) -> String {
    (0..3)
        .find_map(|t| with_check_digit(10_000_000 + n as u64 * 3 + t))
        .expect("of three prefixes in a row, at most one has check digit 10")
}

/// The BSN of eight leading digits `prefix`, unless its check digit would be 10 (or the
/// eleven test's sum 0).
fn with_check_digit(prefix: u64) -> Option<String> {
    let digits: Vec<u32> = prefix
        .to_string()
        .bytes()
        .map(|b| u32::from(b - b'0'))
        .collect();
    let sum: u32 = digits.iter().zip((2..=9).rev()).map(|(d, w)| d * w).sum();
    let check = sum % 11;
    (check < 10 && sum != check).then(|| format!("{prefix}{check}"))
}

/// A child's name, gender and home town, drawn at random.
pub struct Child {
    pub girl: bool,
    pub given: &'static str,
    pub family: &'static str,
    pub city: &'static str,
    /// The first of the town's postcodes (four digits).
    pub postcode: u16,
}

impl Child {
    pub fn draw(rng: &mut Rng) -> Child {
        let girl = rng.below(2) == 0;
        let given = rng.pick(if girl {
            GIVEN_NAMES_GIRLS
        } else {
            GIVEN_NAMES_BOYS
        });
        let family = rng.pick(FAMILY_NAMES);
        let (city, postcode) = CITIES[rng.below(CITIES.len())];
        Child {
            girl,
            given,
            family,
            city,
            postcode,
        }
    }
}

/// The JSON body of a new Patient: a child aged 0–4 with a BSN, a name, a birth date, a
/// gender and a home address in a Dutch city.
pub fn new_patient(rng: &mut Rng) -> Vec<u8> {
    let child = Child::draw(rng);
    let letters = [
        char::from(b'A' + rng.below(26) as u8),
        char::from(b'A' + rng.below(26) as u8),
    ];
    let patient = json!({
        "resourceType": "Patient",
        "identifier": [{
            "use": "official",
            "system": "http://fhir.nl/fhir/NamingSystem/bsn",
            "value": bsn(rng),
        }],
        "active": true,
        "name": [{
            "use": "official",
            "family": child.family,
            "given": [child.given],
        }],
        "gender": if child.girl { "female" } else { "male" },
        "birthDate": format!(
            "{}-{:02}-{:02}",
            2021 + rng.below(5),
            1 + rng.below(12),
            1 + rng.below(28)
        ),
        "address": [{
            "use": "home",
            "line": [format!("{} {}", rng.pick(STREETS), 1 + rng.below(180))],
            "city": child.city,
            "postalCode": format!(
                "{} {}{}",
                child.postcode + rng.below(8) as u16,
                letters[0],
                letters[1]
            ),
            "country": "NL",
        }],
    });
    serde_json::to_vec(&patient).expect("a json! value always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsn_passes_the_eleven_test() {
        let mut rng = Rng::new(42, 7);
        for _ in 0..1000 {
            let value = bsn(&mut rng);
            assert_eq!(value.len(), 9);
            let digits: Vec<i64> = value.bytes().map(|b| i64::from(b - b'0')).collect();
            let sum: i64 = (0..8).map(|i| digits[i] * (9 - i as i64)).sum::<i64>() - digits[8];
            assert_eq!(sum % 11, 0, "{value}");
        }
    }

    #[test]
    fn numbered_bsns_are_distinct_and_pass_the_eleven_test() {
        let mut seen = std::collections::HashSet::new();
        for n in (0..20_000).chain(28_999_000..29_000_000) {
            let value = numbered_bsn(n);
            assert_eq!(value.len(), 9);
            let digits: Vec<i64> = value.bytes().map(|b| i64::from(b - b'0')).collect();
            let sum: i64 = (0..8).map(|i| digits[i] * (9 - i as i64)).sum::<i64>() - digits[8];
            assert!(sum != 0 && sum % 11 == 0, "{value}");
            assert!(seen.insert(value));
        }
    }

    #[test]
    fn patient_is_a_small_fhir_patient() {
        let mut rng = Rng::new(1, 2);
        let body = new_patient(&mut rng);
        assert!(body.len() < 1024);
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["resourceType"], "Patient");
        assert_eq!(
            value["identifier"][0]["system"],
            "http://fhir.nl/fhir/NamingSystem/bsn"
        );
        assert!(value["name"][0]["family"].is_string());
        assert!(value["birthDate"].as_str().unwrap().len() == 10);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = Rng::new(3, 0);
        for n in 1..50 {
            assert!(rng.below(n) < n);
        }
    }
}
