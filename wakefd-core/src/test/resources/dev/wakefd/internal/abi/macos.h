// source: apple-oss-distributions/xnu xnu-11417.101.15 e3723e1f17661b24996789d8afc084c0c3303b26 bsd/sys/errno.h
#define EPERM           1               /* Operation not permitted */
#define ENOENT          2               /* No such file or directory */
#define ESRCH           3               /* No such process */
#define EINTR           4               /* Interrupted system call */
#define EIO             5               /* Input/output error */
#define ENXIO           6               /* Device not configured */
#define E2BIG           7               /* Argument list too long */
#define ENOEXEC         8               /* Exec format error */
#define EBADF           9               /* Bad file descriptor */
#define ECHILD          10              /* No child processes */
#define EDEADLK         11              /* Resource deadlock avoided */
#define ENOMEM          12              /* Cannot allocate memory */
#define EACCES          13              /* Permission denied */
#define EFAULT          14              /* Bad address */
#define ENOTBLK         15              /* Block device required */
#define EBUSY           16              /* Device / Resource busy */
#define EEXIST          17              /* File exists */
#define EXDEV           18              /* Cross-device link */
#define ENODEV          19              /* Operation not supported by device */
#define ENOTDIR         20              /* Not a directory */
#define EISDIR          21              /* Is a directory */
#define EINVAL          22              /* Invalid argument */
#define ENFILE          23              /* Too many open files in system */
#define EMFILE          24              /* Too many open files */
#define ENOTTY          25              /* Inappropriate ioctl for device */
#define ETXTBSY         26              /* Text file busy */
#define EFBIG           27              /* File too large */
#define ENOSPC          28              /* No space left on device */
#define ESPIPE          29              /* Illegal seek */
#define EROFS           30              /* Read-only file system */
#define EMLINK          31              /* Too many links */
#define EPIPE           32              /* Broken pipe */
#define EDOM            33              /* Numerical argument out of domain */
#define ERANGE          34              /* Result too large */
#define EAGAIN          35              /* Resource temporarily unavailable */
#define EINPROGRESS     36              /* Operation now in progress */
#define EALREADY        37              /* Operation already in progress */
#define ENOTSOCK        38              /* Socket operation on non-socket */
#define EDESTADDRREQ    39              /* Destination address required */
#define EMSGSIZE        40              /* Message too long */
#define EPROTOTYPE      41              /* Protocol wrong type for socket */
#define ENOPROTOOPT     42              /* Protocol not available */
#define EPROTONOSUPPORT 43              /* Protocol not supported */
// (left out: the "#if !__DARWIN_UNIX03" alias "#define EOPNOTSUPP ENOTSUP"; 64-bit Darwin is UNIX03, so 102 below)
#define EAFNOSUPPORT    47              /* Address family not supported by protocol family */
#define EADDRINUSE      48              /* Address already in use */
#define EADDRNOTAVAIL   49              /* Can't assign requested address */
#define ENETDOWN        50              /* Network is down */
#define ENETUNREACH     51              /* Network is unreachable */
#define ECONNABORTED    53              /* Software caused connection abort */
#define ECONNRESET      54              /* Connection reset by peer */
#define ENOBUFS         55              /* No buffer space available */
#define EISCONN         56              /* Socket is already connected */
#define ENOTCONN        57              /* Socket is not connected */
#define ETIMEDOUT       60              /* Operation timed out */
#define ECONNREFUSED    61              /* Connection refused */
#define ELOOP           62              /* Too many levels of symbolic links */
#define ENAMETOOLONG    63              /* File name too long */
#define ENOTEMPTY       66              /* Directory not empty */
#define ENOLCK          77              /* No locks available */
#define ENOSYS          78              /* Function not implemented */
#define EOVERFLOW       84              /* Value too large to be stored in data type */
#define ECANCELED       89              /* Operation canceled */
#define EILSEQ          92              /* Illegal byte sequence */
#define EOPNOTSUPP      102             /* Operation not supported on socket */
// source: apple-oss-distributions/xnu xnu-11417.101.15 e3723e1f17661b24996789d8afc084c0c3303b26 bsd/sys/fcntl.h
#define O_NONBLOCK      0x00000004      /* no delay */
#define O_CLOEXEC       0x01000000      /* implicitly set FD_CLOEXEC */
#define F_GETFD         1               /* get file descriptor flags */
#define F_SETFD         2               /* set file descriptor flags */
#define F_GETFL         3               /* get file status flags */
#define F_SETFL         4               /* set file status flags */
#define F_DUPFD_CLOEXEC         67      /* mark the dup with FD_CLOEXEC */
#define FD_CLOEXEC      1               /* close-on-exec flag */
// source: apple-oss-distributions/xnu xnu-11417.101.15 e3723e1f17661b24996789d8afc084c0c3303b26 bsd/sys/poll.h
#define POLLIN          0x0001          /* any readable data available */
#define POLLOUT         0x0004          /* file descriptor is writeable */
#define POLLERR         0x0008          /* some poll error occurred */
#define POLLHUP         0x0010          /* file descriptor was "hung up" */
#define POLLNVAL        0x0020          /* requested events "invalid" */
struct pollfd {
	int     fd;
	short   events;
	short   revents;
};
typedef unsigned int nfds_t;
