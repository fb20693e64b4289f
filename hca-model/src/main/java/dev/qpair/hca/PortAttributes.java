package dev.qpair.hca;

/**
 * What {@code ibv_query_port} reports of the port, as far as this model uses it.
 *
 * @param lid        the port's local identifier on its fabric
 * @param activeMtu  the path MTU in bytes (256 .. 4096): a message of n bytes is ceil(n / mtu) packets and PSNs
 * @param maxMsgSize the largest message, in bytes
 */
public record PortAttributes(int lid, int activeMtu, int maxMsgSize) {

    /** Checks the attributes a provider reports. */
    public PortAttributes {
        if (activeMtu < 256 || activeMtu > 4096 || Integer.bitCount(activeMtu) != 1) {
            throw new IllegalArgumentException("activeMtu is " + activeMtu + ": it must be 256, 512, 1024, 2048 or 4096");
        }
        if (maxMsgSize < 1) {
            throw new IllegalArgumentException("maxMsgSize is " + maxMsgSize + ": it must be at least 1");
        }
    }
}
