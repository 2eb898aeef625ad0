//! Precedence-climbing parser from tokens to [`Ast`].
//!
//! Precedence, loosest first: `implies`; `or` `xor`; `and`; `in` `contains`; `=` `~` `!=`
//! `!~`; `<` `>` `<=` `>=`; `|`; `is` `as`; `+` `-` `&`; `*` `/` `div` `mod`; unary `+` `-`;
//! then `.` invocations and `[]` indexers. Binary operators associate to the left.

use crate::ast::{Ast, BinaryOp, Call, Func, Literal, TypeSpec};
use crate::datetime::{DateTime, Time};
use crate::decimal::Decimal;
use crate::lexer::{tokenize, Spanned, Token};
use crate::navigate::Name;
use crate::quantity::is_calendar_keyword;
use crate::ParseError;
use regex::Regex;

struct Parser {
    tokens: Vec<Spanned>,
    pos: usize,
}

/// Parses a whole expression.
pub(crate) fn parse(src: &str) -> Result<Ast, ParseError> {
    let mut p = Parser {
        tokens: tokenize(src)?,
        pos: 0,
    };
    let ast = p.expression(0)?;
    match p.peek() {
        Token::End => Ok(ast),
        other => Err(p.error(format!("unexpected {other:?}"))),
    }
}

/// Compiles the pattern of `matches` (search; `.` also matches line ends), `matchesFull`
/// (whole string) or `replaceMatches`.
pub(crate) fn compile_regex(func: Func, pattern: &str) -> Result<Regex, regex::Error> {
    match func {
        Func::MatchesFull => Regex::new(&format!("(?s)^(?:{pattern})$")),
        _ => Regex::new(&format!("(?s){pattern}")),
    }
}

fn binary_op(token: &Token) -> Option<(BinaryOp, u8)> {
    Some(match token {
        Token::Ident(word) => match word.as_str() {
            "implies" => (BinaryOp::Implies, 1),
            "or" => (BinaryOp::Or, 2),
            "xor" => (BinaryOp::Xor, 2),
            "and" => (BinaryOp::And, 3),
            "in" => (BinaryOp::In, 4),
            "contains" => (BinaryOp::Contains, 4),
            "div" => (BinaryOp::IntDiv, 10),
            "mod" => (BinaryOp::Mod, 10),
            _ => return None,
        },
        Token::Symbol(s) => match *s {
            "=" => (BinaryOp::Eq, 5),
            "~" => (BinaryOp::Equiv, 5),
            "!=" => (BinaryOp::Ne, 5),
            "!~" => (BinaryOp::NotEquiv, 5),
            "<" => (BinaryOp::Lt, 6),
            ">" => (BinaryOp::Gt, 6),
            "<=" => (BinaryOp::Le, 6),
            ">=" => (BinaryOp::Ge, 6),
            "|" => (BinaryOp::Union, 7),
            "+" => (BinaryOp::Add, 9),
            "-" => (BinaryOp::Sub, 9),
            "&" => (BinaryOp::Concat, 9),
            "*" => (BinaryOp::Mul, 10),
            "/" => (BinaryOp::Div, 10),
            _ => return None,
        },
        _ => return None,
    })
}

/// Precedence of `is` and `as`.
const TYPE_PRECEDENCE: u8 = 8;

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos].token
    }

    fn advance(&mut self) -> Token {
        let t = self.tokens[self.pos].token.clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            offset: self.tokens[self.pos].offset,
            message: message.into(),
        }
    }

    fn expect(&mut self, symbol: &'static str) -> Result<(), ParseError> {
        if *self.peek() == Token::Symbol(symbol) {
            self.advance();
            Ok(())
        } else {
            Err(self.error(format!("expected '{symbol}', found {:?}", self.peek())))
        }
    }

    fn expression(&mut self, min_precedence: u8) -> Result<Ast, ParseError> {
        let mut left = self.unary()?;
        loop {
            let token = self.peek().clone();
            if let Token::Ident(word) = &token {
                if (word == "is" || word == "as") && TYPE_PRECEDENCE >= min_precedence {
                    self.advance();
                    let spec = self.type_specifier()?;
                    left = if word == "is" {
                        Ast::Is(Box::new(left), spec)
                    } else {
                        Ast::As(Box::new(left), spec)
                    };
                    continue;
                }
            }
            let Some((op, precedence)) = binary_op(&token) else {
                break;
            };
            if precedence < min_precedence {
                break;
            }
            self.advance();
            let right = self.expression(precedence + 1)?;
            left = Ast::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Ast, ParseError> {
        match self.peek() {
            Token::Symbol("-") => {
                self.advance();
                Ok(match self.unary()? {
                    Ast::Literal(Literal::Integer(i)) => Ast::Literal(Literal::Integer(-i)),
                    Ast::Literal(Literal::Decimal(d)) => {
                        Ast::Literal(Literal::Decimal(d.negated()))
                    }
                    other => Ast::Negate(Box::new(other)),
                })
            }
            Token::Symbol("+") => {
                self.advance();
                self.unary()
            }
            _ => self.postfix(),
        }
    }

    fn postfix(&mut self) -> Result<Ast, ParseError> {
        let mut ast = self.term()?;
        loop {
            match self.peek() {
                Token::Symbol(".") => {
                    self.advance();
                    let name = self.identifier()?;
                    if *self.peek() == Token::Symbol("(") {
                        ast = self.call(Some(ast), &name)?;
                    } else {
                        ast = Ast::Member(Box::new(ast), Name::new(name));
                    }
                }
                Token::Symbol("[") => {
                    self.advance();
                    let index = self.expression(0)?;
                    self.expect("]")?;
                    ast = Ast::Index(Box::new(ast), Box::new(index));
                }
                _ => return Ok(ast),
            }
        }
    }

    fn identifier(&mut self) -> Result<String, ParseError> {
        match self.advance() {
            Token::Ident(name) | Token::Delimited(name) => Ok(name),
            other => Err(self.error(format!("expected an identifier, found {other:?}"))),
        }
    }

    fn type_specifier(&mut self) -> Result<TypeSpec, ParseError> {
        let first = self.identifier()?;
        if *self.peek() == Token::Symbol(".") {
            self.advance();
            let name = self.identifier()?;
            Ok(TypeSpec {
                namespace: Some(first.into()),
                name: name.into(),
            })
        } else {
            Ok(TypeSpec {
                namespace: None,
                name: first.into(),
            })
        }
    }

    fn term(&mut self) -> Result<Ast, ParseError> {
        let token = self.advance();
        Ok(match token {
            Token::Number(text) => self.number(&text)?,
            Token::Str(s) => Ast::Literal(Literal::String(s.into())),
            Token::DateTime(text) => {
                let literal = if text.contains('T') {
                    DateTime::parse_datetime(&text).map(Literal::DateTime)
                } else {
                    DateTime::parse_date(&text).map(Literal::Date)
                };
                Ast::Literal(literal.ok_or_else(|| self.error(format!("bad date/time @{text}")))?)
            }
            Token::Time(text) => Ast::Literal(Literal::Time(
                Time::parse(&text).ok_or_else(|| self.error(format!("bad time @T{text}")))?,
            )),
            Token::Symbol("{") => {
                self.expect("}")?;
                Ast::Empty
            }
            Token::Symbol("(") => {
                let inner = self.expression(0)?;
                self.expect(")")?;
                inner
            }
            Token::This => Ast::This,
            Token::Index => Ast::IndexVar,
            Token::Total => Ast::Total,
            Token::Constant(name) => Ast::Constant(name.into()),
            Token::Ident(word) if word == "true" || word == "false" => {
                Ast::Literal(Literal::Boolean(word == "true"))
            }
            Token::Ident(name) | Token::Delimited(name) => {
                if *self.peek() == Token::Symbol("(") {
                    self.call(None, &name)?
                } else {
                    Ast::Ident(Name::new(name))
                }
            }
            other => {
                self.pos = self.pos.saturating_sub(1);
                return Err(self.error(format!("unexpected {other:?}")));
            }
        })
    }

    /// A number, or a quantity when a unit follows (`4 'mg'`, `4 days`).
    fn number(&mut self, text: &str) -> Result<Ast, ParseError> {
        let unit = match self.peek() {
            Token::Str(unit) => Some(unit.clone()),
            Token::Ident(word) if is_calendar_keyword(word) => Some(word.clone()),
            _ => None,
        };
        let decimal = Decimal::parse(text).ok_or_else(|| self.error("bad number"))?;
        if let Some(unit) = unit {
            self.advance();
            return Ok(Ast::Literal(Literal::Quantity(decimal, unit.into())));
        }
        if !text.contains('.') {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Ast::Literal(Literal::Integer(i)));
            }
        }
        Ok(Ast::Literal(Literal::Decimal(decimal)))
    }

    fn call(&mut self, focus: Option<Ast>, name: &str) -> Result<Ast, ParseError> {
        self.expect("(")?;
        let mut args = Vec::new();
        if *self.peek() != Token::Symbol(")") {
            loop {
                args.push(self.expression(0)?);
                if *self.peek() == Token::Symbol(",") {
                    self.advance();
                } else {
                    break;
                }
            }
        }
        self.expect(")")?;
        let (func, min, max) =
            Func::lookup(name).ok_or_else(|| self.error(format!("unknown function {name}()")))?;
        if args.len() < min || args.len() > max {
            return Err(self.error(format!("{name}() takes {min} to {max} arguments")));
        }
        let type_arg = match func {
            Func::Is | Func::As | Func::OfType => Some(match &args[0] {
                Ast::Ident(name) => TypeSpec {
                    namespace: None,
                    name: (**name).into(),
                },
                Ast::Member(ns, name) => match &**ns {
                    Ast::Ident(ns) => TypeSpec {
                        namespace: Some((**ns).into()),
                        name: (**name).into(),
                    },
                    _ => return Err(self.error("expected a type name")),
                },
                _ => return Err(self.error("expected a type name")),
            }),
            _ => None,
        };
        let regex = match (func, args.first()) {
            (
                Func::Matches | Func::MatchesFull | Func::ReplaceMatches,
                Some(Ast::Literal(Literal::String(pattern))),
            ) => Some(
                compile_regex(func, pattern)
                    .map_err(|e| self.error(format!("bad regular expression: {e}")))?,
            ),
            _ => None,
        };
        let member = (func == Func::Extension).then(|| Name::new("extension"));
        Ok(Ast::Call(Box::new(Call {
            focus,
            func,
            args,
            regex,
            type_arg,
            member,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(src: &str) -> String {
        format!("{:?}", parse(src).unwrap())
    }

    #[test]
    fn precedence() {
        assert!(shape("1 + 2 * 3").starts_with("Binary(Add"));
        assert!(shape("a or b and c").starts_with("Binary(Or"));
        assert!(shape("1 | 1 is Integer").starts_with("Binary(Union"));
        assert!(shape("1 > 2 is Boolean").starts_with("Binary(Gt"));
        assert!(shape("-Patient.name.count()").starts_with("Negate(Call"));
        assert!(shape("-1").starts_with("Literal(Integer(-1))"));
    }

    #[test]
    fn errors() {
        assert!(parse("2 + 2 /").is_err());
        assert!(parse("name.foo()").is_err());
        assert!(parse("@2015-13-01").is_err());
        assert!(parse("(1").is_err());
    }
}
