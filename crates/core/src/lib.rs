//! The contract shared by the Orgdesk server and its clients: permissions and
//! built-in roles, input validation, error codes and the JSON wire types.
//! No I/O and no business workflow lives here.

pub mod api;
pub mod error;
pub mod permissions;
pub mod validate;

pub use error::{ErrorCode, FieldError, Problem};
pub use permissions::{BuiltinRole, Permission, PermissionSet};
