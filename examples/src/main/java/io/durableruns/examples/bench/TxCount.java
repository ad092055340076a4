package io.durableruns.examples.bench;

/**
 * Transactions a database committed and rolled back between two readings, and how many sessions of other clients
 * were active meanwhile (their transactions are in the count too).
 */
record TxCount(long commits, long rollbacks, int foreignSessions) {
    static final TxCount NONE = new TxCount(0, 0, 0);

    TxCount plus(TxCount other) {
        return new TxCount(
                commits + other.commits, rollbacks + other.rollbacks, Math.max(foreignSessions, other.foreignSessions));
    }
}
