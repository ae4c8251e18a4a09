//! Names as the name + check-in rule compares them: folded (case, accents, punctuation) and
//! within a small edit distance.

use unicode_normalization::UnicodeNormalization;

use crate::domain::GuestId;

/// The closest guest by folded full name, within the typo allowance; ties go to the oldest
/// guest (the order of `candidates`).
pub(super) fn best_name_match(
    wanted: (&str, &str),
    candidates: &[(GuestId, String, String)],
) -> Option<GuestId> {
    let first = fold_name(wanted.0);
    let last = fold_name(wanted.1);
    if last.is_empty() && first.is_empty() {
        return None;
    }
    let full = format!("{first} {last}");
    let swapped = format!("{last} {first}");
    let allowance = typo_allowance(full.chars().count());
    candidates
        .iter()
        .filter_map(|(id, f, l)| {
            let theirs = format!("{} {}", fold_name(f), fold_name(l));
            let distance = edit_distance(&full, &theirs).min(edit_distance(&swapped, &theirs));
            (distance <= allowance).then_some((distance, *id))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, id)| id)
}

/// Typos tolerated in a full name of `len` characters: none for very short names, one for
/// ordinary ones, two for long ones.
fn typo_allowance(len: usize) -> usize {
    match len {
        0..=5 => 0,
        6..=14 => 1,
        _ => 2,
    }
}

/// A name reduced to what matching compares: accents removed (é → e, ß → ss), lower case,
/// letters and digits only, words separated by one space ("José-María  O'Neil" → "jose maria o neil").
pub fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let replacement: Option<&str> = match c {
            'ß' => Some("ss"),
            'æ' | 'Æ' => Some("ae"),
            'œ' | 'Œ' => Some("oe"),
            'ø' | 'Ø' => Some("o"),
            'ł' | 'Ł' => Some("l"),
            'đ' | 'Đ' => Some("d"),
            'þ' | 'Þ' => Some("th"),
            'ı' => Some("i"),
            _ => None,
        };
        if replacement.is_none() && !c.is_alphanumeric() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match replacement {
            Some(text) => out.push_str(text),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Levenshtein distance in characters (two rows; names are short).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn folding_removes_case_accents_and_punctuation() {
        assert_eq!(fold_name("José-María  O'Neil"), "jose maria o neil");
        assert_eq!(fold_name("  MÜLLER "), "muller");
        assert_eq!(fold_name("Straße"), "strasse");
        assert_eq!(fold_name("Łukasz Øster"), "lukasz oster");
        assert_eq!(fold_name("Zoë"), "zoe");
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("keller", "keller"), 0);
        assert_eq!(edit_distance("keller", "keler"), 1);
        assert_eq!(edit_distance("anna", "anan"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    fn candidates(names: &[(&str, &str)]) -> Vec<(GuestId, String, String)> {
        names
            .iter()
            .enumerate()
            .map(|(i, (f, l))| {
                let id = GuestId(Uuid::from_u128(i as u128 + 1));
                (id, (*f).to_owned(), (*l).to_owned())
            })
            .collect()
    }

    #[test]
    fn names_match_despite_case_accents_a_typo_or_swapped_order() {
        let c = candidates(&[("Someone", "Else"), ("José", "Müller")]);
        let expected = Some(c[1].0);
        assert_eq!(best_name_match(("jose", "MULLER"), &c), expected);
        assert_eq!(best_name_match(("Jose", "Muler"), &c), expected);
        assert_eq!(best_name_match(("Müller", "José"), &c), expected);
        assert_eq!(
            best_name_match(("Joan", "Miller"), &c),
            None,
            "two typos in a short name"
        );
    }

    #[test]
    fn the_closest_name_wins_and_ties_go_to_the_oldest() {
        let c = candidates(&[("Anna", "Kellner"), ("Anna", "Keller"), ("Anna", "Keller")]);
        assert_eq!(best_name_match(("Anna", "Keller"), &c), Some(c[1].0));
    }
}
