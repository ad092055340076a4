package io.durableruns.examples.bench;

/**
 * Transactions a database committed and rolled back between two readings, how many sessions of other clients
 * were active meanwhile (their transactions are in the count too), and the write-ahead log the whole cluster wrote
 * meanwhile ({@code pg_stat_wal}: records, full-page images, bytes; like the CPU figures, it counts every database
 * of the cluster).
 */
record TxCount(long commits, long rollbacks, int foreignSessions, long walRecords, long walFpi, long walBytes) {
    static final TxCount NONE = new TxCount(0, 0, 0, 0, 0, 0);

    /**
     * The counts between {@code earlier} and this reading, both readings of the same cumulative counters; the other
     * sessions are this reading's.
     */
    TxCount since(TxCount earlier) {
        return new TxCount(
                commits - earlier.commits,
                rollbacks - earlier.rollbacks,
                foreignSessions,
                walRecords - earlier.walRecords,
                walFpi - earlier.walFpi,
                walBytes - earlier.walBytes);
    }

    TxCount plus(TxCount other) {
        return new TxCount(
                commits + other.commits,
                rollbacks + other.rollbacks,
                Math.max(foreignSessions, other.foreignSessions),
                walRecords + other.walRecords,
                walFpi + other.walFpi,
                walBytes + other.walBytes);
    }
}
