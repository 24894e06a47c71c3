#!/usr/bin/env python3
"""Hostile clients against a running `kho serve`: slow readers, idle sockets,
large anonymous bodies, a huge query. Prints CPU, RSS, descriptors and whether
/healthz still answers. Usage: measure.py PID PORT RECORD_ID_WITH_LARGE_FILE"""
import os, socket, sys, time

pid, port, record = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
tick = os.sysconf('SC_CLK_TCK')

def cpu_seconds():
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick

def rss_mib():
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024

def fds():
    return len(os.listdir(f'/proc/{pid}/fd'))

def request(raw, timeout=5.0):
    """Sends raw bytes, returns (seconds, first line of the answer) or (None, error)."""
    start = time.monotonic()
    try:
        s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
        s.sendall(raw)
        data = b''
        while b'\r\n' not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        s.close()
        return time.monotonic() - start, data.split(b'\r\n', 1)[0].decode(errors='replace')
    except Exception as e:
        return None, str(e)

def health():
    return request(b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')

def cpu_over(seconds):
    c0, t0 = cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds() - c0) / (time.monotonic() - t0)

print(f'at rest: cpu {cpu_over(2):.0f}%  rss {rss_mib():.0f} MiB  fds {fds()}  healthz {health()}')

# Two slow readers: ask for the large file and never read.
readers = []
for _ in range(2):
    s = socket.create_connection(('127.0.0.1', port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(f'GET /api/v1/records/{record}/file HTTP/1.1\r\nHost: x\r\n\r\n'.encode())
    readers.append(s)
time.sleep(1)
print(f'two slow readers: cpu {cpu_over(5):.0f}%  rss {rss_mib():.0f} MiB  healthz {health()}')
time.sleep(3)
print(f'  later: cpu {cpu_over(3):.0f}%  healthz {health()}')
for s in readers:
    s.close()
time.sleep(1)

# Idle sockets: open 200 and send nothing.
before = fds()
idle = [socket.create_connection(('127.0.0.1', port)) for _ in range(200)]
time.sleep(1)
print(f'200 idle sockets: fds {before} -> {fds()}')
closed = 0
deadline = time.monotonic() + 15
for s in idle:
    s.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        while s.recv(4096):  # a 408 may come before the end
            pass
        closed += 1
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed += 1
print(f'  closed by the server within 15 s: {closed} of 200, fds now {fds()}')
for s in idle:
    s.close()
time.sleep(1)

# A 20 MB anonymous login body.
rss0 = rss_mib()
body = b'{"name":"' + b'a' * (20 << 20) + b'"}'
t, line = request(b'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
                  b'Content-Length: ' + str(len(body)).encode() + b'\r\n\r\n' + body, timeout=30)
print(f'20 MB login body: {line!r} in {t}s, rss {rss0:.0f} -> {rss_mib():.0f} MiB')

# A 2 MB query.
rss0 = rss_mib()
q = ('sach+' * ((2 << 20) // 5))[: 2 << 20]
t, line = request(f'GET /api/v1/search?q={q} HTTP/1.1\r\nHost: x\r\n\r\n'.encode(), timeout=60)
print(f'2 MB query: {line!r} in {t}s, rss {rss0:.0f} -> {rss_mib():.0f} MiB')
print(f'end: cpu {cpu_over(2):.0f}%  fds {fds()}  healthz {health()}')
