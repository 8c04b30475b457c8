// The #define lines below were copied by hand from the cited revision (comments dropped), read
// through the search tool of the wakefd sessions: see docs/platforms.md.
// source: openbsd/src sys/sys/errno.h $OpenBSD: errno.h,v 1.25 2017/09/05 03:06:26 jsg Exp $
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
#define	EILSEQ	84
#define	EOVERFLOW	87
#define	ECANCELED	88
// source: openbsd/src sys/sys/fcntl.h $OpenBSD: fcntl.h,v 1.23 2025/08/04 04:59:30 guenther Exp $
#define	O_NONBLOCK	0x0004
#define	F_GETFD		1
#define	F_SETFD		2
#define	F_GETFL		3
#define	F_SETFL		4
#define	FD_CLOEXEC	1
#define	O_CLOEXEC	0x10000
#define	F_DUPFD_CLOEXEC	10
// source: openbsd/src sys/sys/poll.h $OpenBSD: poll.h,v 1.16 2024/08/04 22:28:08 guenther Exp $
typedef struct pollfd {
	int 	fd;
	short	events;
	short	revents;
} pollfd_t;
typedef unsigned int	nfds_t;
#define	POLLIN		0x0001
#define	POLLOUT		0x0004
#define	POLLERR		0x0008
#define	POLLHUP		0x0010
#define	POLLNVAL	0x0020
