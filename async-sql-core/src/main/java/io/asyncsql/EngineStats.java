package io.asyncsql;

/**
 * Point-in-time figures of an {@link AsyncEngine}.
 *
 * @param active permits in use: operations on the database and open connections
 * @param queued operations waiting for a permit
 * @param maxConcurrency number of permits
 * @param queueCapacity waiting operations accepted before new ones are rejected
 * @param completed operations that completed with a value
 * @param failed accepted operations that completed exceptionally (including queue
 * timeouts)
 * @param rejected operations refused at submission (queue full or engine closed)
 * @param cancelled operations cancelled before completing
 * @param submitted operations offered to the engine, accepted or not: once nothing is
 * active or queued, {@code completed + failed + rejected + cancelled} adds up to it
 * @param leaks connections, transactions and streams that held their connection longer
 * than the {@link AsyncEngineBuilder#leakDetectionThreshold(java.time.Duration) leak
 * detection threshold}; always zero without one
 * @param batches JDBC batches of coalesced updates sent; always zero without
 * {@link AsyncEngineBuilder#batching(boolean) batching}
 * @param batchedOperations updates sent in those batches (each also counted once in
 * {@code completed}, {@code failed} or {@code cancelled})
 * @since 0.1.0
 */
public record EngineStats(int active, int queued, int maxConcurrency, int queueCapacity, long completed, long failed,
		long rejected, long cancelled, long submitted, long leaks, long batches, long batchedOperations) {

	/**
	 * Return whether the wait queue is at least nine tenths full.
	 * @return whether the engine is close to rejecting work
	 */
	public boolean isSaturated() {
		return this.queued >= this.queueCapacity - this.queueCapacity / 10;
	}

}
