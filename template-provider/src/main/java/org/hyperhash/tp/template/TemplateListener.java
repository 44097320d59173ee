package org.hyperhash.tp.template;

import org.hyperhash.tp.node.BlockTemplate;

/**
 * Receives node templates from {@link TemplateUpdater}: one call at a time, in order (on the updater's thread, or on a
 * block notifier's thread while the updater is idle).
 */
public interface TemplateListener {

    /**
     * The chain tip changed: {@code template} builds on the new tip.
     *
     * @param notifiedNanos {@link System#nanoTime()} of the node notification (latency start)
     */
    void onNewTip(BlockTemplate template, long notifiedNanos);

    /** Same tip, fees rose by at least the configured delta: a better template. */
    void onFeeRise(BlockTemplate template);
}
