package dev.qpair.perf;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.qpair.hca.CompletionQueue;
import dev.qpair.hca.QueuePair;
import dev.qpair.hca.SendFlags;
import dev.qpair.rings.WcStatus;
import dev.qpair.rings.WrOpcode;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The posting side of {@code ib_write_bw} and {@code ib_send_bw} over a {@link VerbsFleet}: WR
 * number i is one {@code --size}-byte RDMA_WRITE or SEND; {@code postList} consecutive WRs go
 * under one doorbell ({@code wrStart} .. {@code wrComplete}) to one QP, and successive doorbells go
 * round robin over the QPs. On each QP one WR in {@code signal} is signaled. Slots are freed only
 * when a signaled completion covering them is polled (strict, as on mlx5), so before a doorbell the
 * poster polls side a's shared send CQ until the QP has room for the whole batch: at most
 * {@link #sqWrs} WRs outstanding (perftest's {@code tx_depth}), counted by the signaled completions
 * polled, each covering {@code signal} WRs of its QP, and enough free slots. The window is at least
 * {@code signal + postList} WRs, so the WRs no signaled completion covers yet (at most
 * {@code signal - 1}) never keep a batch out, and it bounds the signaled completions a QP can have
 * outstanding (its CQ share), whatever the WQE sizes. The first 8 bytes of each WR's payload carry
 * its number (when the size allows), from the pair's own slice of a's buffer.
 */
final class BwSender {

    private final VerbsFleet fleet;
    private final int opcode;
    private final int size;
    private final boolean inline;
    private final int postList;
    private final int signal;
    private final int batchSlots;
    private final CompletionQueue cq;
    private final MemorySegment src;
    private final int lkey;
    private final int rkey;
    private final long localBase;
    private final long remoteBase;
    private final int window;
    private final long[] postedOnQp;
    private final long[] coveredOnQp;
    /** The number of the last WR posted on each QP, or -1. */
    final long[] lastOnQp;
    private QueuePair current;
    private int currentIndex;
    private long completions;
    private long badCompletions;

    /** Send WRs each QP needs for these knobs ({@code max_send_wr}). */
    static int sqWrs(int postList, int signal) {
        return Math.max(128, signal + postList);
    }

    BwSender(VerbsFleet fleet, int opcode, int size, boolean inline, int postList, int signal) {
        this.fleet = fleet;
        this.opcode = opcode;
        this.size = size;
        this.inline = inline;
        this.postList = postList;
        this.signal = signal;
        this.batchSlots = postList * (inline ? QueuePair.sendSlotsForInline(opcode, size) : QueuePair.sendSlotsFor(opcode, 1));
        this.cq = fleet.sendCqA;
        this.src = fleet.segA();
        this.lkey = fleet.mrA.lkey();
        this.rkey = fleet.mrB.rkey();
        this.localBase = fleet.segA().address();
        this.remoteBase = fleet.segB().address();
        this.window = sqWrs(postList, signal);
        this.postedOnQp = new long[fleet.a.length];
        this.coveredOnQp = new long[fleet.a.length];
        this.lastOnQp = new long[fleet.a.length];
        Arrays.fill(lastOnQp, -1);
    }

    /** Posts WR number {@code i}: opens the batch at its first WR, rings the doorbell at its last. */
    void post(long i, Peer watch) {
        int k = (int) (i % postList);
        if (k == 0) {
            currentIndex = (int) ((i / postList) % fleet.a.length);
            current = fleet.a[currentIndex];
            awaitRoom(currentIndex, watch);
            current.wrStart();
        }
        int q = currentIndex;
        long offset = q * fleet.stride;
        if (size >= Long.BYTES) {
            src.set(JAVA_LONG, offset, i);
        }
        boolean signaled = ++postedOnQp[q] % signal == 0;
        current.wrId(i).wrFlags(signaled ? SendFlags.SIGNALED : 0);
        if (opcode == WrOpcode.SEND) {
            current.wrSend();
        } else {
            current.wrRdmaWrite(rkey, remoteBase + offset);
        }
        if (inline) {
            current.wrSetInlineData(src, offset, size);
        } else {
            current.wrSetSge(lkey, localBase + offset, size);
        }
        lastOnQp[q] = i;
        if (k == postList - 1) {
            current.wrComplete();
        }
    }

    private boolean roomFor(int q) {
        return postedOnQp[q] + postList - coveredOnQp[q] <= window && fleet.a[q].freeSendSlots() >= batchSlots;
    }

    private void awaitRoom(int q, Peer watch) {
        if (roomFor(q)) {
            return;
        }
        QueuePair qp = fleet.a[q];
        long started = System.nanoTime();
        int spins = 0;
        while (true) {
            reap();
            if (roomFor(q)) {
                return;
            }
            Thread.onSpinWait();
            if ((++spins & 0xffff) == 0) {
                if (watch != null) {
                    watch.checkAlive();
                }
                if (System.nanoTime() - started > VerbsPair.STALL_NS) {
                    throw new IllegalStateException("QP 0x" + Integer.toHexString(qp.qpNum()) + " found no room for "
                            + postList + " WRs within 5 s: " + (postedOnQp[q] - coveredOnQp[q]) + " WRs outstanding of "
                            + window + ", " + qp.freeSendSlots() + " slots free");
                }
            }
        }
    }

    /**
     * Polls every completion the send CQ holds now. WR i went to QP {@code (i / postList) % qps}
     * (WR numbers start at 0, batches are whole), and its signaled CQE covers {@code signal} WRs there.
     */
    private void reap() {
        if (!cq.startPoll()) {
            return;
        }
        int qps = fleet.a.length;
        do {
            completions++;
            long wrId = cq.wrId();
            if (cq.status() != WcStatus.SUCCESS || wrId < 0) {
                badCompletions++;
            } else {
                coveredOnQp[(int) ((wrId / postList) % qps)] += signal;
            }
        } while (cq.nextPoll());
        cq.endPoll();
    }

    long completions() {
        return completions;
    }

    long badCompletions() {
        return badCompletions;
    }
}
