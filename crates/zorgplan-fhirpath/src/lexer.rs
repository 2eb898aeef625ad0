//! Splits an expression into tokens: identifiers (plain or `delimited`), strings with their
//! escapes decoded, numbers, date/time literals, `%` constants, `$` variables and symbols.
//! Whitespace and comments (`// …`, `/* … */`) separate tokens and are dropped.

use crate::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    /// A plain identifier; keywords (`and`, `is`, `true`, …) are told apart by the parser.
    Ident(String),
    /// A `delimited identifier`, never a keyword.
    Delimited(String),
    Str(String),
    Number(String),
    /// `@2015-02-04`, `@2015T`, `@2015-02-04T14:34:28Z`: the text after `@`.
    DateTime(String),
    /// `@T14:34`: the text after `@T`.
    Time(String),
    /// `%name`, `%`name``, `%'name'`: the name.
    Constant(String),
    This,
    Index,
    Total,
    Symbol(&'static str),
    End,
}

/// A token and the byte offset where it starts.
#[derive(Debug, Clone)]
pub(crate) struct Spanned {
    pub token: Token,
    pub offset: usize,
}

const SYMBOLS: [&str; 22] = [
    "!=", "!~", "<=", ">=", ".", "[", "]", "(", ")", "{", "}", ",", "+", "-", "*", "/", "&", "|",
    "=", "~", "<", ">",
];

struct Lexer<'s> {
    src: &'s str,
    bytes: &'s [u8],
    pos: usize,
}

fn error(offset: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        offset,
        message: message.into(),
    }
}

impl Lexer<'_> {
    fn peek_at(&self, n: usize) -> Option<u8> {
        self.bytes.get(self.pos + n).copied()
    }

    fn skip_space_and_comments(&mut self) -> Result<(), ParseError> {
        loop {
            match (self.peek_at(0), self.peek_at(1)) {
                (Some(b), _) if b.is_ascii_whitespace() => self.pos += 1,
                (Some(b'/'), Some(b'/')) => {
                    while self.peek_at(0).is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                (Some(b'/'), Some(b'*')) => {
                    let start = self.pos;
                    match self.src[self.pos + 2..].find("*/") {
                        Some(end) => self.pos += 2 + end + 2,
                        None => return Err(error(start, "unterminated comment")),
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// A quoted string or delimited identifier, escapes decoded.
    fn quoted(&mut self, quote: u8) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.src[self.pos..];
            let Some(c) = rest.chars().next() else {
                return Err(error(start, "unterminated string"));
            };
            self.pos += c.len_utf8();
            match c {
                c if c as u32 == u32::from(quote) => return Ok(out),
                '\\' => {
                    let escaped = self
                        .peek_at(0)
                        .ok_or_else(|| error(start, "unterminated string"))?;
                    self.pos += 1;
                    match escaped {
                        b'\'' | b'"' | b'`' | b'\\' | b'/' => out.push(char::from(escaped)),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hex = self
                                .src
                                .get(self.pos..self.pos + 4)
                                .ok_or_else(|| error(self.pos, "bad \\u escape"))?;
                            let code = u32::from_str_radix(hex, 16)
                                .map_err(|_| error(self.pos, "bad \\u escape"))?;
                            out.push(
                                char::from_u32(code)
                                    .ok_or_else(|| error(self.pos, "bad \\u escape"))?,
                            );
                            self.pos += 4;
                        }
                        other => {
                            return Err(error(
                                self.pos - 2,
                                format!("unknown escape \\{}", char::from(other)),
                            ))
                        }
                    }
                }
                c => out.push(c),
            }
        }
    }

    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &str {
        let start = self.pos;
        while self.peek_at(0).is_some_and(&f) {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    fn digits(&mut self) -> usize {
        self.take_while(|b| b.is_ascii_digit()).len()
    }

    /// `hh(:mm(:ss(.f+)?)?)?` at the current position.
    fn time_part(&mut self) {
        if self.digits() == 0 {
            return;
        }
        while self.peek_at(0) == Some(b':') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.digits();
        }
        if self.peek_at(0) == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.digits();
        }
    }

    /// The text of a date/time literal after `@`.
    fn date_time(&mut self) -> Token {
        let start = self.pos;
        if self.peek_at(0) == Some(b'T') {
            self.pos += 1;
            self.time_part();
            return Token::Time(self.src[start + 1..self.pos].to_owned());
        }
        self.digits();
        while self.peek_at(0) == Some(b'-') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.digits();
        }
        if self.peek_at(0) == Some(b'T') {
            self.pos += 1;
            self.time_part();
            match self.peek_at(0) {
                Some(b'Z') => self.pos += 1,
                Some(b'+' | b'-')
                    if self.peek_at(1).is_some_and(|b| b.is_ascii_digit())
                        && self.peek_at(3) == Some(b':') =>
                {
                    self.pos += 6.min(self.bytes.len() - self.pos);
                }
                _ => {}
            }
        }
        Token::DateTime(self.src[start..self.pos].to_owned())
    }

    fn identifier(&mut self) -> String {
        self.take_while(|b| b.is_ascii_alphanumeric() || b == b'_')
            .to_owned()
    }

    fn next(&mut self) -> Result<Spanned, ParseError> {
        self.skip_space_and_comments()?;
        let offset = self.pos;
        let token = match self.peek_at(0) {
            None => Token::End,
            Some(b'\'') => Token::Str(self.quoted(b'\'')?),
            Some(b'`') => Token::Delimited(self.quoted(b'`')?),
            Some(b) if b.is_ascii_digit() => {
                self.digits();
                if self.peek_at(0) == Some(b'.')
                    && self.peek_at(1).is_some_and(|b| b.is_ascii_digit())
                {
                    self.pos += 1;
                    self.digits();
                }
                Token::Number(self.src[offset..self.pos].to_owned())
            }
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => Token::Ident(self.identifier()),
            Some(b'@') => {
                self.pos += 1;
                self.date_time()
            }
            Some(b'$') => {
                self.pos += 1;
                match self.identifier().as_str() {
                    "this" => Token::This,
                    "index" => Token::Index,
                    "total" => Token::Total,
                    other => return Err(error(offset, format!("unknown variable ${other}"))),
                }
            }
            Some(b'%') => {
                self.pos += 1;
                let name = match self.peek_at(0) {
                    Some(b'`') => self.quoted(b'`')?,
                    Some(b'\'') => self.quoted(b'\'')?,
                    _ => self.identifier(),
                };
                if name.is_empty() {
                    return Err(error(offset, "a name must follow %"));
                }
                Token::Constant(name)
            }
            Some(_) => {
                let rest = &self.src[self.pos..];
                let symbol = SYMBOLS
                    .iter()
                    .find(|s| rest.starts_with(**s))
                    .ok_or_else(|| {
                        error(
                            offset,
                            format!(
                                "unexpected character {:?}",
                                rest.chars().next().unwrap_or(' ')
                            ),
                        )
                    })?;
                self.pos += symbol.len();
                Token::Symbol(symbol)
            }
        };
        Ok(Spanned { token, offset })
    }
}

/// All tokens of `src`, ending with [`Token::End`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Spanned>, ParseError> {
    let mut lexer = Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
    };
    let mut tokens = Vec::new();
    loop {
        let t = lexer.next()?;
        let end = t.token == Token::End;
        tokens.push(t);
        if end {
            return Ok(tokens);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Vec<Token> {
        tokenize(src)
            .unwrap()
            .into_iter()
            .map(|t| t.token)
            .collect()
    }

    #[test]
    fn splits_literals_and_symbols() {
        assert_eq!(
            tokens("name.given != 'P\\u0065ter' // comment"),
            vec![
                Token::Ident("name".into()),
                Token::Symbol("."),
                Token::Ident("given".into()),
                Token::Symbol("!="),
                Token::Str("Peter".into()),
                Token::End
            ]
        );
        assert_eq!(
            tokens("@2015-02-04T14:34:28.123.is(DateTime)")[0],
            Token::DateTime("2015-02-04T14:34:28.123".into())
        );
        assert_eq!(tokens("@T14:34 >= @2015T")[0], Token::Time("14:34".into()));
        assert_eq!(tokens("@2015T")[0], Token::DateTime("2015T".into()));
        assert_eq!(tokens("1.0.toString()")[0], Token::Number("1.0".into()));
        assert_eq!(tokens("%`vs-x`")[0], Token::Constant("vs-x".into()));
        assert!(tokenize("2 + 2 /* open").is_err());
    }
}
