package io.asyncsql;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The two timers of a {@link RowSubscription}, both on the engine's timer thread: the
 * idle timeout, which ends a stream whose subscriber requests nothing for too long while
 * it holds its connection, and the maximum lifetime, which ends a stream open for too
 * long whatever its demand.
 */
final class StreamTimers {

	private final EngineThreads threads;

	private final Duration idleTimeout;

	private final @Nullable Duration maxLifetime;

	private final BooleanSupplier idle;

	private final BooleanSupplier ended;

	private final Consumer<StreamTimeoutException> expire;

	private volatile @Nullable ScheduledFuture<?> idleTimer;

	private volatile @Nullable ScheduledFuture<?> lifetimeTimer;

	/**
	 * Create the timers of a stream on the given engine.
	 * @param idle whether the stream is still without demand and between steps
	 * @param ended whether the stream has ended
	 * @param expire what ends the stream with the timeout's failure
	 */
	StreamTimers(AsyncEngine engine, BooleanSupplier idle, BooleanSupplier ended,
			Consumer<StreamTimeoutException> expire) {
		this.threads = engine.threads;
		this.idleTimeout = engine.streamIdleTimeout;
		this.maxLifetime = engine.streamMaxLifetime;
		this.idle = idle;
		this.ended = ended;
		this.expire = expire;
	}

	/**
	 * Start the idle timeout, the subscriber having no demand left; unless the stream has
	 * ended.
	 */
	void startIdle() {
		if (this.ended.getAsBoolean()) {
			return;
		}
		Duration timeout = this.idleTimeout;
		ScheduledFuture<?> timer = this.threads.schedule(() -> {
			if (this.idle.getAsBoolean()) {
				this.expire.accept(new StreamTimeoutException("async-sql stream held its connection for " + timeout
						+ " without demand from its subscriber and was cancelled; request rows sooner or raise async-sql.stream.idle-timeout"));
			}
		}, timeout.toNanos());
		this.idleTimer = timer;
		cancelIfEnded(timer);
	}

	/**
	 * Stop the idle timeout: the subscriber asked for rows.
	 */
	void stopIdle() {
		cancel(this.idleTimer);
	}

	/**
	 * Start the maximum lifetime, if the engine sets one; the stream has its connection.
	 */
	void startLifetime() {
		Duration lifetime = this.maxLifetime;
		if (lifetime != null) {
			ScheduledFuture<?> timer = this.threads.schedule(
					() -> this.expire
						.accept(new StreamTimeoutException("async-sql stream was open for longer than " + lifetime
								+ " and was cancelled; raise async-sql.stream.max-lifetime or read less at a time")),
					lifetime.toNanos());
			this.lifetimeTimer = timer;
			cancelIfEnded(timer);
		}
	}

	/**
	 * Stop both timers: the stream has ended.
	 */
	void stop() {
		cancel(this.idleTimer);
		cancel(this.lifetimeTimer);
	}

	/**
	 * Cancel a timer, already stored, that was scheduled as the stream ended: clean-up
	 * may have looked for it before it was stored, and it would keep the subscriber
	 * reachable until it fires (Reactive Streams rule 3.13).
	 */
	private void cancelIfEnded(@Nullable ScheduledFuture<?> timer) {
		if (this.ended.getAsBoolean()) {
			cancel(timer);
		}
	}

	private static void cancel(@Nullable ScheduledFuture<?> timer) {
		if (timer != null) {
			timer.cancel(false);
		}
	}

}
