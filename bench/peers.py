#!/usr/bin/python3
"""The benchmark's peers, on the same corpus and query mix as kho.

  peers.py fts5-build CORPUS DB        one row per page (pages split at form feeds)
  peers.py fts5-query DB QUERIES ROUNDS
  peers.py xapian-query OMINDEX_DB QUERIES ROUNDS   Xapian's QueryParser as quest
                                       uses it (no stemming, AND), in-process
  peers.py quest OMINDEX_DB QUERIES ROUNDS   Xapian's own `quest`, one process a query
  peers.py median OUT RUN.lat...   per class, the median of several runs' percentiles
  peers.py report WORK PAGES KHO_INDEX OMINDEX_DB FTS5_DB   the table of a run
Query timings print as: class <TAB> n <TAB> p50 <TAB> p95 <TAB> p99 (ms).
Debian's python3 (python3-xapian); SQLite's FTS5 with unicode61 remove_diacritics 2.
"""
import os
import pathlib
import sqlite3
import statistics
import sys
import time


def queries(path, column):
    for line in open(path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            f = line.rstrip("\n").split("\t")
            yield f[0], f[column]


def report(times):
    for cls in sorted(times):
        v = sorted(times[cls])
        pick = lambda p: v[min(len(v) - 1, int(p * len(v)))]
        print(f"{cls}\t{len(v)}\t{pick(0.5):.3f}\t{pick(0.95):.3f}\t{pick(0.99):.3f}")


def fts5_build(corpus, db):
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("CREATE VIRTUAL TABLE pages USING fts5(body, kind UNINDEXED, school UNINDEXED, file UNINDEXED,"
                " page UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
    with con:
        for f in sorted(pathlib.Path(corpus).rglob("*.txt")):
            kind, school = f.parent.parent.name, f.parent.name
            for n, text in enumerate(f.read_text(encoding="utf-8").split("\f"), 1):
                con.execute("INSERT INTO pages VALUES (?,?,?,?,?)", (text, kind, school, f.name, n))
    with con:
        con.execute("INSERT INTO pages(pages) VALUES('optimize')")
    con.close()


def fts5_query(db, qfile, rounds):
    con = sqlite3.connect(db)
    times = {}
    for r in range(-1, rounds):
        for cls, q in queries(qfile, 2):
            match, _, kind = q.partition("|")
            start = time.perf_counter()
            if kind:
                # The nearest to kho's faceted search: top hits of one kind, and counts per kind.
                con.execute("SELECT rowid, snippet(pages, 0, '[', ']', '…', 20) FROM pages WHERE pages MATCH ?"
                            " AND kind = ? ORDER BY rank LIMIT 10", (match, kind)).fetchall()
                con.execute("SELECT kind, count(DISTINCT file) FROM pages WHERE pages MATCH ? GROUP BY kind",
                            (match,)).fetchall()
            else:
                con.execute("SELECT rowid, snippet(pages, 0, '[', ']', '…', 20) FROM pages WHERE pages MATCH ?"
                            " ORDER BY rank LIMIT 10", (match,)).fetchall()
            if r >= 0:
                times.setdefault(cls, []).append((time.perf_counter() - start) * 1000)
    report(times)


def xapian_query(dbpath, qfile, rounds):
    import xapian
    db = xapian.Database(dbpath)
    qp = xapian.QueryParser()
    qp.set_database(db)
    qp.set_default_op(xapian.Query.OP_AND)
    qp.add_boolean_prefix("kind", "P/")
    enquire = xapian.Enquire(db)
    times = {}
    for r in range(-1, rounds):
        for cls, q in queries(qfile, 3):
            start = time.perf_counter()
            enquire.set_query(qp.parse_query(q, qp.FLAG_DEFAULT))
            mset = enquire.get_mset(0, 10)
            for m in mset:
                m.document.get_data()
            if r >= 0:
                times.setdefault(cls, []).append((time.perf_counter() - start) * 1000)
    report(times)


def quest(dbpath, qfile, rounds):
    import subprocess
    times = {}
    for r in range(-1, rounds):
        for cls, q in queries(qfile, 3):
            start = time.perf_counter()
            subprocess.run(["quest", "-d", dbpath, "-s", "none", "-o", "and", "-b", "kind:P/", "-m", "10", q],
                           stdout=subprocess.DEVNULL, check=True)
            if r >= 0:
                times.setdefault(cls, []).append((time.perf_counter() - start) * 1000)
    report(times)


def median_of(out, *runs):
    """Per class, the median of several runs' p50, p95 and p99."""
    per_class = {}
    for run in runs:
        for line in pathlib.Path(run).read_text().splitlines():
            cls, n, *ms = line.split("\t")
            per_class.setdefault(cls, []).append((int(n), [float(v) for v in ms]))
    with open(out, "w") as f:
        for cls, rows in per_class.items():
            ms = [statistics.median(r[1][i] for r in rows) for i in range(3)]
            f.write(f"{cls}\t{sum(r[0] for r in rows)}\t" + "\t".join(f"{v:.3f}" for v in ms) + "\n")


def du(path):
    p = pathlib.Path(path)
    files = [p] if p.is_file() else p.rglob("*")
    return sum(f.stat().st_size for f in files if f.is_file()) / 2**20


def report_run(work, pages, kho_index, omega, fts):
    work = pathlib.Path(work)
    def lat(name):
        out = {}
        for line in (work / f"{name}.lat").read_text().splitlines():
            cls, n, p50, p95, p99 = line.split("\t")
            out[cls] = (float(p50), float(p95), float(p99))
        return out
    def build(name):
        f = work / f"{name}.time"
        if not f.exists():
            return "–", "–"
        secs, rss = f.read_text().split()[:2]
        return f"{float(secs):.0f} s", f"{int(rss) / 1024:.0f} MiB"
    systems = {"kho": lat("kho"), "quest": lat("quest"), "Xapian in-process": lat("xapian"), "FTS5": lat("fts5")}
    print(f"# Search benchmark: {int(pages):,} pages\n")
    print(f"Machine: {os.cpu_count()} cores. Same corpus, same query mix (bench/queries.tsv).\n")
    print("| system | build time | build peak RSS | index size |")
    print("| --- | --- | --- | --- |")
    for name, t, size in (("kho (import + index)", "kho-import", du(kho_index)), ("omindex", "omindex", du(omega)),
                          ("SQLite FTS5", "fts5-build", du(fts))):
        bt, rss = build(t)
        print(f"| {name} | {bt} | {rss} | {size:.0f} MiB |")
    print("\nQuery latency in ms, p50 / p95 / p99 (kho: Index::search with folding, facets on faceted queries,"
          " best pages and snippets; quest: one process per query):\n")
    print("| class | " + " | ".join(systems) + " | kho/quest p50 | kho/FTS5 p50 |")
    print("| --- |" + " --- |" * (len(systems) + 2))
    for cls in systems["kho"]:
        cells = [" / ".join(f"{v:.2f}" for v in s.get(cls, (0, 0, 0))) for s in systems.values()]
        k, q, f = systems["kho"][cls][0], systems["quest"].get(cls, (0,))[0], systems["FTS5"].get(cls, (0,))[0]
        print(f"| {cls} | " + " | ".join(cells) + f" | {k / q:.2f} | {k / f:.2f} |")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "fts5-build":
        fts5_build(*args)
    elif cmd == "fts5-query":
        fts5_query(args[0], args[1], int(args[2]))
    elif cmd == "quest":
        quest(args[0], args[1], int(args[2]))
    elif cmd == "report":
        report_run(*args)
    elif cmd == "median":
        median_of(args[0], *args[1:])
    elif cmd == "xapian-query":
        xapian_query(args[0], args[1], int(args[2]))
    else:
        sys.exit(__doc__)
