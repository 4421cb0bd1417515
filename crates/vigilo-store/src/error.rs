use vigilo_registry::{Invalid, Refusal};

/// Why an operation on the store did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: names the input and what was expected.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Refused by a rule: names the rule and what is missing.
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no Vigilo store at {0}: create one with `vigilo init`")]
    NoStore(String),
    #[error("the store at {0} has no manufacturer organisation yet: run `vigilo init`")]
    NotInitialised(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Exit status per SPEC §5: 1 refused by a rule, 2 bad input or usage, 3 the store failed.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Refused(_) => 1,
            Error::Invalid(_) | Error::NoStore(_) | Error::NotInitialised(_) => 2,
            Error::Database(_) | Error::Migrate(_) | Error::Internal(_) => 3,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
