// The #define lines below were copied by hand from the cited revision (comments dropped), read
// through the search tool of the wakefd sessions: see docs/platforms.md.
// source: freebsd/freebsd-src 01ca612ace5f76c6e7eb834efd44e10cc6f0ab9c sys/sys/errno.h
#define	EPERM	1
#define	ENOENT	2
#define	ESRCH	3
#define	EINTR	4
#define	EIO	5
#define	ENXIO	6
#define	E2BIG	7
#define	ENOEXEC	8
#define	EBADF	9
#define	ECHILD	10
#define	EDEADLK	11
#define	ENOMEM	12
#define	EACCES	13
#define	EFAULT	14
#define	ENOTBLK	15
#define	EBUSY	16
#define	EEXIST	17
#define	EXDEV	18
#define	ENODEV	19
#define	ENOTDIR	20
#define	EISDIR	21
#define	EINVAL	22
#define	ENFILE	23
#define	EMFILE	24
#define	ENOTTY	25
#define	ETXTBSY	26
#define	EFBIG	27
#define	ENOSPC	28
#define	ESPIPE	29
#define	EROFS	30
#define	EMLINK	31
#define	EPIPE	32
#define	EDOM	33
#define	ERANGE	34
#define	EAGAIN	35
#define	EINPROGRESS	36
#define	EALREADY	37
#define	ENOTSOCK	38
#define	EDESTADDRREQ	39
#define	EMSGSIZE	40
#define	EPROTOTYPE	41
#define	ENOPROTOOPT	42
#define	EPROTONOSUPPORT	43
#define	EOPNOTSUPP	45
#define	EAFNOSUPPORT	47
#define	EADDRINUSE	48
#define	EADDRNOTAVAIL	49
#define	ENETDOWN	50
#define	ENETUNREACH	51
#define	ECONNABORTED	53
#define	ECONNRESET	54
#define	ENOBUFS	55
#define	EISCONN	56
#define	ENOTCONN	57
#define	ETIMEDOUT	60
#define	ECONNREFUSED	61
#define	ELOOP	62
#define	ENAMETOOLONG	63
#define	ENOTEMPTY	66
#define	ENOLCK	77
#define	ENOSYS	78
#define	EOVERFLOW	84
#define	ECANCELED	85
#define	EILSEQ	86
// source: freebsd/freebsd-src 0069e95e9bc656bc22e6bb3e4a71f0286e800676 sys/sys/fcntl.h
#define	O_NONBLOCK	0x0004
#define	F_GETFD		1
#define	F_SETFD		2
#define	F_GETFL		3
#define	F_SETFL		4
#define	FD_CLOEXEC	1
#define	O_CLOEXEC	0x00100000
#define	F_DUPFD_CLOEXEC	17
// source: freebsd/freebsd-src 039ea811636f62633b18bcadb9f5332b215f7900 sys/sys/poll.h
typedef	unsigned int	nfds_t;
struct pollfd {
	int	fd;
	short	events;
	short	revents;
};
#define	POLLIN		0x0001
#define	POLLOUT		0x0004
#define	POLLERR		0x0008
#define	POLLHUP		0x0010
#define	POLLNVAL	0x0020
