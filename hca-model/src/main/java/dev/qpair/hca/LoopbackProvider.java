package dev.qpair.hca;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-process provider: one instance is one fabric, shared by every {@link Device} opened on it;
 * QPNs are unique on the fabric and a request reaches the peer QP by a direct call. Control-path
 * methods are synchronized; {@link #route} runs at {@code modifyQp(RTR)}, never on the datapath.
 */
public final class LoopbackProvider implements Provider {

    private static final int QPN_LIMIT = 1 << 24;

    private final PortAttributes port;
    private final Map<Integer, QueuePair> qps = new HashMap<>();
    private int nextQpn = 0x100;

    /** A fabric with a 4096-byte MTU and 2^31-byte messages. */
    public LoopbackProvider() {
        this(new PortAttributes(1, 4096, Integer.MAX_VALUE));
    }

    /** A fabric whose ports report {@code port}. */
    public LoopbackProvider(PortAttributes port) {
        if (port == null) {
            throw new IllegalArgumentException("port is null");
        }
        this.port = port;
    }

    @Override
    public String name() {
        return "loopback";
    }

    @Override
    public PortAttributes queryPort() {
        return port;
    }

    @Override
    public synchronized int allocQpn(QueuePair qp) {
        for (int tries = 0; tries < QPN_LIMIT; tries++) {
            int qpn = nextQpn;
            nextQpn = nextQpn + 1 == QPN_LIMIT ? 0x100 : nextQpn + 1;
            if (!qps.containsKey(qpn)) {
                qps.put(qpn, qp);
                return qpn;
            }
        }
        throw new IllegalStateException("the loopback fabric has no free QPN: all " + (QPN_LIMIT - 0x100) + " are in use");
    }

    @Override
    public synchronized void freeQpn(int qpn) {
        qps.remove(qpn);
    }

    @Override
    public synchronized QueuePair route(QueuePair requester, int destQpn) {
        return qps.get(destQpn);
    }
}
