// The run's combined stdout and stderr: exactly the program's lines, so no warning of any kind.
def log = new File(basedir, 'target/run.log')
assert log.isFile() : "the consumer did not run: no ${log}"
def lines = log.readLines()
def expected = ['bridge: a b c', 'netty: woken on epoll', 'io_uring module: absent']
assert lines == expected : "the consumer printed (stdout and stderr):\n" + log.text
