package dev.qpair.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * Which memory regions use a piece of memory, so that closing it while registered is refused.
 * Control path only: every method takes the monitor.
 */
final class Pins {

    private final List<MemoryRegion> users = new ArrayList<>();
    private final String what;
    private boolean closed;

    Pins(String what) {
        this.what = what;
    }

    synchronized void pin(MemoryRegion mr) {
        if (closed) {
            throw new IllegalStateException(what + " is closed: it cannot be registered");
        }
        users.add(mr);
    }

    synchronized void unpin(MemoryRegion mr) {
        for (int i = users.size() - 1; i >= 0; i--) {
            if (users.get(i) == mr) {
                users.remove(i);
                return;
            }
        }
        throw new IllegalStateException("MR " + mr + " does not use " + what);
    }

    synchronized int count() {
        return users.size();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Refuses while in use; otherwise marks closed and returns whether this call closed it. */
    synchronized boolean close() {
        if (closed) {
            return false;
        }
        refuseIfUsed("close");
        closed = true;
        return true;
    }

    synchronized void refuseIfUsed(String action) {
        if (!users.isEmpty()) {
            StringBuilder keys = new StringBuilder();
            for (int i = 0; i < users.size() && i < 8; i++) {
                keys.append(i == 0 ? "" : ", ").append(String.format("lkey 0x%08x", users.get(i).lkey()));
            }
            throw new IllegalStateException("cannot " + action + " " + what + ": it is still registered by "
                    + users.size() + " memory region(s) (" + keys + (users.size() > 8 ? ", ..." : "")
                    + "); deregister or invalidate them first");
        }
    }
}
