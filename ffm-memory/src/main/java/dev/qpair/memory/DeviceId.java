package dev.qpair.memory;

/**
 * The device a piece of memory is local to: {@link #HOST} for system memory, or a named device
 * (an HCA, an NVMe controller) for its BAR, doorbell pages or controller memory buffer. Peer-to-peer
 * placement asks a buffer for its owner and keeps memory of different owners out of one SG list.
 *
 * @param name a device name such as {@code mlx5_0} or {@code nvme0}; {@code host} is taken by {@link #HOST}
 */
public record DeviceId(String name) {

    /** System memory, local to the CPUs rather than to any device. */
    public static final DeviceId HOST = new DeviceId("host");

    /** Longest name accepted. */
    public static final int MAX_NAME_LENGTH = 64;

    /** @throws IllegalArgumentException when the name is empty, too long or not [A-Za-z0-9_.:-] */
    public DeviceId {
        Check.notNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !name.matches("[A-Za-z0-9_.:-]+")) {
            throw new IllegalArgumentException("name = \"" + name + "\" must be 1 to " + MAX_NAME_LENGTH
                    + " characters of [A-Za-z0-9_.:-]");
        }
    }

    /** Whether this is {@link #HOST}. */
    public boolean isHost() {
        return equals(HOST);
    }
}
