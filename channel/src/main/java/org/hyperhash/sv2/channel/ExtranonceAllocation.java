package org.hyperhash.sv2.channel;

import org.hyperhash.base.Bytes;

/**
 * One allocated extranonce prefix.
 *
 * @param index the channel index inside the allocator's space (for {@link ExtranonceAllocator#release})
 * @param prefix extranonce_prefix to send in Open*MiningChannel.Success
 * @param extranonceSize rollable bytes left to the client (0 for standard channels)
 */
public record ExtranonceAllocation(long index, Bytes prefix, int extranonceSize) {
    public int fullExtranonceSize() {
        return prefix.length() + extranonceSize;
    }
}
