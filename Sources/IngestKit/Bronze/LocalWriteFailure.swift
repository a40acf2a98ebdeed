import Foundation
import IngestCommon

/// A local bronze write that failed, as an error a user can act on: the path, the size, the system's
/// reason in words (`no space left on device`, `file too large`, `permission denied`,
/// `read-only file system`, …) and the fix for that reason.
struct LocalWriteFailure {
    var path: String
    var size: Int
    var errno: Int32
    /// What was being done: `create the folder`, `write the file`, ….
    var step: String

    var reason: String {
        switch errno {
        case ENOSPC: return "no space left on device"
        case EFBIG: return "file too large"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "read-only file system"
        case EDQUOT: return "disk quota exceeded"
        case ENOTDIR, EEXIST: return "a file stands where a folder should be"
        case 0: return "an unknown error"
        default: return String(cString: strerror(errno)).lowercased()
        }
    }

    var fix: String {
        let folder = (path as NSString).deletingLastPathComponent
        let elsewhere = "or set INGEST_HOME (or LAKEHOUSE_URL) to another place"
        switch errno {
        case ENOSPC, EDQUOT: return "free at least \(size) bytes on the disk of \(folder), \(elsewhere), then run again"
        case EFBIG: return "the process's file size limit (ulimit -f) or the file system allows less than \(size) bytes a file: raise the limit, \(elsewhere)"
        case EACCES, EPERM: return "give the user running ingestctl write access to \(folder), \(elsewhere)"
        case EROFS: return "the file system of \(folder) is mounted read-only: remount it read-write, \(elsewhere)"
        case ENOTDIR, EEXIST: return "move away the file that stands in the way on the path \(folder), \(elsewhere)"
        default: return "check \(folder), \(elsewhere)"
        }
    }

    var error: IngestError {
        IngestError("cannot \(step) \(path) (\(size) bytes): \(reason)", fix: fix)
    }
}
