//! The compiled form of an expression.
//!
//! Functions are resolved to [`Func`] when parsing (an unknown function or a wrong number of
//! arguments is a parse error), type specifiers are split into namespace and name, literals
//! are decoded, and regular expressions given as string literals are compiled once.

use crate::datetime::{DateTime, Time};
use crate::decimal::Decimal;
use crate::navigate::Name;
use regex::Regex;

#[derive(Debug, Clone)]
pub(crate) enum Ast {
    /// `{}`
    Empty,
    Literal(Literal),
    /// An identifier at the start of a path: a child of `$this`, or the type of `$this`
    /// (`Patient.name`).
    Ident(Name),
    /// `focus.name`
    Member(Box<Ast>, Name),
    Call(Box<Call>),
    /// `focus[index]`
    Index(Box<Ast>, Box<Ast>),
    This,
    IndexVar,
    Total,
    /// `%name`
    Constant(Box<str>),
    /// `-x` (`+x` is dropped when parsing)
    Negate(Box<Ast>),
    Binary(BinaryOp, Box<Ast>, Box<Ast>),
    Is(Box<Ast>, TypeSpec),
    As(Box<Ast>, TypeSpec),
}

#[derive(Debug, Clone)]
pub(crate) enum Literal {
    Boolean(bool),
    Integer(i64),
    Decimal(Decimal),
    String(Box<str>),
    Date(DateTime),
    DateTime(DateTime),
    Time(Time),
    Quantity(Decimal, Box<str>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Mul,
    Div,
    IntDiv,
    Mod,
    Add,
    Sub,
    Concat,
    Union,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    Equiv,
    NotEquiv,
    In,
    Contains,
    And,
    Or,
    Xor,
    Implies,
}

/// A type as `is`, `as` and `ofType` name it: `Patient`, `FHIR.Patient`, `System.String`.
#[derive(Debug, Clone)]
pub(crate) struct TypeSpec {
    pub namespace: Option<Box<str>>,
    pub name: Box<str>,
}

/// A function invocation.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The expression before the dot; `None`: the function applies to `$this`.
    pub focus: Option<Ast>,
    pub func: Func,
    pub args: Vec<Ast>,
    /// The compiled pattern of `matches`, `matchesFull` and `replaceMatches` when it is a
    /// string literal.
    pub regex: Option<Regex>,
    /// The type argument of `is`, `as` and `ofType`.
    pub type_arg: Option<TypeSpec>,
    /// The child `extension()` steps to.
    pub member: Option<Name>,
}

macro_rules! functions {
    ($($variant:ident $name:literal $min:literal $max:literal,)*) => {
        /// The functions of FHIRPath and those FHIR adds.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Func {
            $($variant,)*
        }

        impl Func {
            /// The function named `name`, with its minimum and maximum number of arguments.
            pub fn lookup(name: &str) -> Option<(Func, usize, usize)> {
                match name {
                    $($name => Some((Func::$variant, $min, $max)),)*
                    _ => None,
                }
            }
        }
    };
}

functions! {
    Empty "empty" 0 0,
    Exists "exists" 0 1,
    All "all" 1 1,
    AllTrue "allTrue" 0 0,
    AnyTrue "anyTrue" 0 0,
    AllFalse "allFalse" 0 0,
    AnyFalse "anyFalse" 0 0,
    SubsetOf "subsetOf" 1 1,
    SupersetOf "supersetOf" 1 1,
    Count "count" 0 0,
    Distinct "distinct" 0 0,
    IsDistinct "isDistinct" 0 0,
    Where "where" 1 1,
    Select "select" 1 1,
    Repeat "repeat" 1 1,
    OfType "ofType" 1 1,
    Single "single" 0 0,
    First "first" 0 0,
    Last "last" 0 0,
    Tail "tail" 0 0,
    Skip "skip" 1 1,
    Take "take" 1 1,
    Intersect "intersect" 1 1,
    Exclude "exclude" 1 1,
    Union "union" 1 1,
    Combine "combine" 1 1,
    Iif "iif" 2 3,
    ToBoolean "toBoolean" 0 0,
    ConvertsToBoolean "convertsToBoolean" 0 0,
    ToInteger "toInteger" 0 0,
    ConvertsToInteger "convertsToInteger" 0 0,
    ToDecimal "toDecimal" 0 0,
    ConvertsToDecimal "convertsToDecimal" 0 0,
    ToString "toString" 0 0,
    ConvertsToString "convertsToString" 0 0,
    ToDate "toDate" 0 0,
    ConvertsToDate "convertsToDate" 0 0,
    ToDateTime "toDateTime" 0 0,
    ConvertsToDateTime "convertsToDateTime" 0 0,
    ToTime "toTime" 0 0,
    ConvertsToTime "convertsToTime" 0 0,
    ToQuantity "toQuantity" 0 1,
    ConvertsToQuantity "convertsToQuantity" 0 1,
    IndexOf "indexOf" 1 1,
    Substring "substring" 1 2,
    StartsWith "startsWith" 1 1,
    EndsWith "endsWith" 1 1,
    Contains "contains" 1 1,
    Upper "upper" 0 0,
    Lower "lower" 0 0,
    Replace "replace" 2 2,
    Matches "matches" 1 1,
    MatchesFull "matchesFull" 1 1,
    ReplaceMatches "replaceMatches" 2 2,
    Length "length" 0 0,
    ToChars "toChars" 0 0,
    Trim "trim" 0 0,
    Split "split" 1 1,
    Join "join" 0 1,
    Encode "encode" 1 1,
    Decode "decode" 1 1,
    Escape "escape" 1 1,
    Unescape "unescape" 1 1,
    Abs "abs" 0 0,
    Ceiling "ceiling" 0 0,
    Exp "exp" 0 0,
    Floor "floor" 0 0,
    Ln "ln" 0 0,
    Log "log" 1 1,
    Power "power" 1 1,
    Round "round" 0 1,
    Sqrt "sqrt" 0 0,
    Truncate "truncate" 0 0,
    Children "children" 0 0,
    Descendants "descendants" 0 0,
    Trace "trace" 1 2,
    Now "now" 0 0,
    Today "today" 0 0,
    TimeOfDay "timeOfDay" 0 0,
    Is "is" 1 1,
    As "as" 1 1,
    Type "type" 0 0,
    Not "not" 0 0,
    Aggregate "aggregate" 1 2,
    Sort "sort" 0 9,
    LowBoundary "lowBoundary" 0 1,
    HighBoundary "highBoundary" 0 1,
    Precision "precision" 0 0,
    Comparable "comparable" 1 1,
    Extension "extension" 1 1,
    HasValue "hasValue" 0 0,
    GetValue "getValue" 0 0,
    Resolve "resolve" 0 0,
    HtmlChecks "htmlChecks" 0 0,
    ConformsTo "conformsTo" 1 1,
    MemberOf "memberOf" 1 1,
}

impl Func {
    /// Functions whose arguments are evaluated once per input item, with that item as
    /// `$this` (and `$index`).
    pub fn iterates(self) -> bool {
        matches!(
            self,
            Func::Exists
                | Func::All
                | Func::Where
                | Func::Select
                | Func::Repeat
                | Func::Aggregate
                | Func::Sort
        )
    }
}
