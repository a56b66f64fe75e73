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
 * @param leaks connections, transactions and streams that held their connection longer
 * than the {@link AsyncEngineBuilder#leakDetectionThreshold(java.time.Duration) leak
 * detection threshold}; always zero without one
 * @since 0.1.0
 */
public record EngineStats(int active, int queued, int maxConcurrency, int queueCapacity, long completed, long failed,
		long rejected, long cancelled, long leaks) {

	/**
	 * Create figures of an engine that detects no leaks: {@code leaks} is zero.
	 * @param active permits in use
	 * @param queued operations waiting for a permit
	 * @param maxConcurrency number of permits
	 * @param queueCapacity waiting operations accepted before new ones are rejected
	 * @param completed operations that completed with a value
	 * @param failed accepted operations that completed exceptionally
	 * @param rejected operations refused at submission
	 * @param cancelled operations cancelled before completing
	 */
	public EngineStats(int active, int queued, int maxConcurrency, int queueCapacity, long completed, long failed,
			long rejected, long cancelled) {
		this(active, queued, maxConcurrency, queueCapacity, completed, failed, rejected, cancelled, 0);
	}

	/**
	 * Return whether the wait queue is at least nine tenths full.
	 * @return whether the engine is close to rejecting work
	 */
	public boolean isSaturated() {
		return this.queued >= this.queueCapacity - this.queueCapacity / 10;
	}

}
