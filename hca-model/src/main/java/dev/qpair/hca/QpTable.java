package dev.qpair.hca;

/**
 * QPN to QP, for the poll path: an immutable open-addressed table, rebuilt on the control path and
 * published through a volatile field (RCU's pattern), so a lookup takes no lock and allocates nothing.
 */
final class QpTable {

    static final QpTable EMPTY = new QpTable(new QueuePair[0]);

    private final int[] qpns;
    private final QueuePair[] qps;
    private final int mask;
    final QueuePair[] all;

    QpTable(QueuePair[] all) {
        this.all = all;
        int size = Integer.highestOneBit(Math.max(4, all.length * 2) - 1) << 1;
        qpns = new int[size];
        qps = new QueuePair[size];
        mask = size - 1;
        for (QueuePair qp : all) {
            int i = mix(qp.qpNum()) & mask;
            while (qps[i] != null) {
                i = (i + 1) & mask;
            }
            qpns[i] = qp.qpNum();
            qps[i] = qp;
        }
    }

    QueuePair get(int qpn) {
        int i = mix(qpn) & mask;
        for (int n = 0; n <= mask; n++) {
            QueuePair qp = qps[i];
            if (qp == null) {
                return null;
            }
            if (qpns[i] == qpn) {
                return qp;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    private static int mix(int x) {
        return x * 0x9E3779B9 >>> 7 ^ x;
    }
}
