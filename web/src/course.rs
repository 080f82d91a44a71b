//! The course: the lessons of `static/lessons/`, built into the page in course order (lesson N
//! is the N-th file by name, and `?lesson=N` opens it). A test checks that this list is the
//! folder's, so a lesson added there cannot be missing here.

/// The lessons' texts, in course order.
pub const COURSE: [&str; 15] = [
    include_str!("../../static/lessons/01-elections.txt"),
    include_str!("../../static/lessons/02-split-votes.txt"),
    include_str!("../../static/lessons/03-log-replication.txt"),
    include_str!("../../static/lessons/04-leader-crash.txt"),
    include_str!("../../static/lessons/05-partitions.txt"),
    include_str!("../../static/lessons/06-figure-7.txt"),
    include_str!("../../static/lessons/07-figure-8.txt"),
    include_str!("../../static/lessons/08-ready-persist.txt"),
    include_str!("../../static/lessons/09-prevote.txt"),
    include_str!("../../static/lessons/10-check-quorum.txt"),
    include_str!("../../static/lessons/11-read-index.txt"),
    include_str!("../../static/lessons/12-leadership-transfer.txt"),
    include_str!("../../static/lessons/13-snapshots.txt"),
    include_str!("../../static/lessons/14-membership.txt"),
    include_str!("../../static/lessons/15-learners.txt"),
];

/// The lessons' file names, in the same order (for the test and for error messages).
pub const FILES: [&str; 15] = [
    "01-elections.txt",
    "02-split-votes.txt",
    "03-log-replication.txt",
    "04-leader-crash.txt",
    "05-partitions.txt",
    "06-figure-7.txt",
    "07-figure-8.txt",
    "08-ready-persist.txt",
    "09-prevote.txt",
    "10-check-quorum.txt",
    "11-read-index.txt",
    "12-leadership-transfer.txt",
    "13-snapshots.txt",
    "14-membership.txt",
    "15-learners.txt",
];

/// A lesson a link asks the page to open.
#[derive(Clone, Debug, PartialEq)]
pub struct Opening {
    /// Its number in the course (from 1); `None` for a lesson of one's own.
    pub number: Option<usize>,
    pub text: std::rc::Rc<str>,
}

/// The lesson a page's query asks for with `lesson=N` (from 1), if it names one of the course.
pub fn from_query(query: &str) -> Option<Opening> {
    let n: usize = query
        .trim_start_matches('?')
        .split('&')
        .find_map(|p| p.strip_prefix("lesson="))?
        .parse()
        .ok()?;
    lesson(n).map(|text| Opening {
        number: Some(n),
        text: std::rc::Rc::from(text),
    })
}

/// The fragment that carries a lesson of one's own in a share link: `#lesson=` and the text
/// as base64url (like a shared script's `#script=`).
pub fn share_fragment(text: &str) -> String {
    format!(
        "#lesson={}",
        crate::persist::base64url_encode(text.as_bytes())
    )
}

/// The lesson a share link's fragment carries, if any; a damaged one is an error to show.
pub fn from_hash(hash: &str) -> Result<Option<Opening>, String> {
    let Some(code) = hash.trim_start_matches('#').strip_prefix("lesson=") else {
        return Ok(None);
    };
    // Base64 takes 4 characters for 3 bytes; anything longer cannot be a lesson.
    if code.len() > cluster::lesson::MAX_LESSON_BYTES / 3 * 4 + 4 {
        return Err("the lesson in this link is longer than a lesson may be".into());
    }
    let bytes = crate::persist::base64url_decode(code)
        .map_err(|e| format!("the lesson in this link is damaged: {}", e.0))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| "the lesson in this link is damaged: not text".to_string())?;
    Ok(Some(Opening {
        number: None,
        text: std::rc::Rc::from(text),
    }))
}

/// Lesson `n` of the course (from 1).
pub fn lesson(n: usize) -> Option<&'static str> {
    n.checked_sub(1).and_then(|i| COURSE.get(i)).copied()
}

/// The value of a lesson's one-line directive (`title`, `summary`), read without parsing the
/// whole lesson: the list shows fifteen of them.
pub fn header<'a>(text: &'a str, directive: &str) -> &'a str {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(directive)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .map_or("", str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_course_is_the_lessons_folder_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../static/lessons");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("static/lessons")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".txt"))
            .collect();
        names.sort();
        assert_eq!(names, FILES.map(String::from).to_vec());
        for (i, name) in FILES.iter().enumerate() {
            let on_disk = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
            assert_eq!(on_disk, COURSE[i], "{name}");
            assert!(!header(COURSE[i], "title").is_empty(), "{name} has a title");
        }
        assert_eq!(header(COURSE[0], "title"), "Elections and terms");
        assert!(lesson(0).is_none() && lesson(COURSE.len() + 1).is_none());
        assert_eq!(lesson(1), Some(COURSE[0]));
        assert_eq!(from_query("?nodes=5&lesson=2").unwrap().number, Some(2));
        assert!(from_query("?lesson=0").is_none() && from_query("?lesson=x").is_none());
        assert!(from_query("?lesson=99").is_none());
        let own = "title Mine\nseed 1\nsetup\n    cluster 3\n\nread\n    Hello.\n";
        let opened = from_hash(&share_fragment(own)).unwrap().unwrap();
        assert_eq!((&*opened.text, opened.number), (own, None));
        assert_eq!(from_hash("#script=abc"), Ok(None));
        assert!(from_hash("#lesson=%%%").is_err());
    }
}
