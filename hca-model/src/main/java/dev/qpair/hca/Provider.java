package dev.qpair.hca;

/**
 * The device-specific part of a device (seed 004, rdmavt's split): the verbs core ({@link Device},
 * {@link QueuePair}, {@link CompletionQueue} and the engine) owns object lifetimes, state machines
 * and validation; a provider supplies the port, the QPN space and the wire.
 *
 * <p>{@link LoopbackProvider} is the in-process implementation: its wire hands a request straight
 * to the peer QP's responder in the same JVM. A cross-process wire is the next implementation.
 */
public interface Provider {

    /** A short name for messages, such as {@code "loopback"}. */
    String name();

    /** The port's attributes ({@code query_port_state}). */
    PortAttributes queryPort();

    /**
     * A fresh QPN for {@code qp} ({@code make_qpn}: QPN ranges differ per provider), in [1, 2^24).
     * The provider also makes {@code qp} reachable on its wire under that QPN.
     */
    int allocQpn(QueuePair qp);

    /** Releases a QPN from {@link #allocQpn}; the QP is no longer reachable. */
    void freeQpn(int qpn);

    /**
     * The wire: where a request from {@code requester} to {@code destQpn} arrives ({@code do_send}),
     * or {@code null} when no such QP is reachable. The in-process wire returns the peer QP itself,
     * whose responder the engine then runs.
     */
    QueuePair route(QueuePair requester, int destQpn);
}
