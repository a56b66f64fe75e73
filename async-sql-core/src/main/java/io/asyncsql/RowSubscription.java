package io.asyncsql;

import java.sql.Connection;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

/**
 * One subscriber's execution of a {@link RowPublisher}: the Reactive Streams protocol
 * over a {@link RowCursor} and {@link StreamTimers}.
 * <p>
 * Rows are read in <em>steps</em>, each an operation of the stream's lane: a step opens
 * the cursor if needed and emits rows while the subscriber has demand, then ends, so no
 * engine thread waits while demand is zero (the lane keeps the connection and permit). A
 * work-in-progress counter makes sure at most one step is scheduled at a time; demand
 * that arrives during a step is served by that step.
 * <p>
 * Signals are serialised by one lock held while calling the subscriber; the terminal
 * signal comes only after the cursor and (for a stream that opened it) the lane are
 * released.
 *
 * @param <T> the row type
 */
final class RowSubscription<T> implements Flow.Subscription {

	private final RowPublisher<T> publisher;

	private final Flow.Subscriber<? super T> subscriber;

	private final Object signalLock = new Object();

	private final AtomicLong requested = new AtomicLong();

	private final AtomicInteger wip = new AtomicInteger();

	private final AtomicInteger opening = new AtomicInteger();

	/**
	 * A stream on a connection of its own is an operation; on a caller's, a part of it.
	 */
	private final OperationObservation observation;

	private final RowCursor<T> cursor;

	private final StreamTimers timers;

	private volatile @Nullable DefaultAsyncConnection lane;

	private volatile boolean terminated;

	private volatile boolean stepRunning;

	/** The connection of the latest step, through which a step is cancelled. */
	private volatile @Nullable TrackedConnection stepConnection;

	private volatile @Nullable Runnable unwatchRelease;

	RowSubscription(RowPublisher<T> publisher, Flow.Subscriber<? super T> subscriber) {
		this.publisher = publisher;
		this.subscriber = subscriber;
		this.cursor = new RowCursor<>(publisher);
		this.timers = new StreamTimers(publisher.engine, () -> this.requested.get() == 0 && this.wip.get() == 0,
				() -> this.terminated, (timeout) -> terminate(timeout, true));
		this.observation = publisher.ownsConnection
				? publisher.engine.observations.open(OperationKind.STREAM, publisher.sql, OperationObservation.NONE)
				: OperationObservation.NONE;
	}

	void start() {
		synchronized (this.signalLock) {
			// Holding the lock keeps an early onNext from overtaking onSubscribe (§1.3).
			this.subscriber.onSubscribe(this);
		}
		// Open the connection and run the query now, emitting nothing until requested.
		if (this.wip.getAndIncrement() == 0) {
			scheduleStep();
		}
	}

	@Override
	public void request(long n) {
		if (this.terminated) {
			return;
		}
		if (n <= 0) {
			terminate(new IllegalArgumentException("Rule 3.9: request(n) needs a positive n, but was " + n), true);
			return;
		}
		this.requested.getAndAccumulate(n, (current, added) -> {
			long sum = current + added;
			return (sum < 0) ? Long.MAX_VALUE : sum;
		});
		this.timers.stopIdle();
		if (this.wip.getAndIncrement() == 0) {
			scheduleStep();
		}
	}

	@Override
	public void cancel() {
		terminate(null, false);
	}

	private void scheduleStep() {
		DefaultAsyncConnection current = this.lane;
		if (current != null) {
			submitStep(current);
		}
		else if (this.opening.getAndIncrement() == 0) {
			this.publisher.connection.apply(this.observation).whenComplete((opened, failure) -> {
				if (failure != null) {
					terminate(EngineFailures.unwrap(failure), true);
				}
				else {
					this.lane = opened;
					if (this.terminated) {
						release(opened, false);
					}
					else {
						// A subscriber without demand has no step to fail: tell it
						// when the connection goes away under it (engine shut down,
						// connection closed).
						this.unwatchRelease = opened.whenReleased(this::connectionReleased);
						this.timers.startLifetime();
						submitStep(opened);
					}
				}
			});
		}
	}

	private void submitStep(DefaultAsyncConnection current) {
		current.submit((con) -> {
			step(con);
			return null;
		}).whenComplete((done, failure) -> {
			if (failure != null) {
				// The step never ran (deadline, closed connection) or was aborted.
				terminate(EngineFailures.unwrap(failure), true);
			}
		});
	}

	private void step(Connection con) {
		int missed = 1;
		this.stepConnection = TrackedConnection.of(con);
		this.stepRunning = true;
		try {
			this.cursor.open(con);
			while (true) {
				long demand = this.requested.get();
				long emitted = 0;
				while (emitted != demand) {
					if (this.terminated) {
						return;
					}
					if (!this.cursor.next()) {
						terminate(null, true);
						return;
					}
					if (!emitNext(this.cursor.map())) {
						return;
					}
					emitted++;
				}
				if (demand != Long.MAX_VALUE && this.requested.addAndGet(-emitted) == 0 && emitted > 0
						&& !this.cursor.readAhead()) {
					// Demand met exactly, and the rows with it: a subscriber that asked
					// for just the rows there are still hears onComplete.
					terminate(null, true);
					return;
				}
				missed = this.wip.addAndGet(-missed);
				if (missed == 0) {
					break;
				}
			}
			if (this.requested.get() == 0) {
				this.timers.startIdle();
			}
		}
		catch (Throwable ex) {
			terminate(this.publisher.engine.failures.translate(ex, null), true);
		}
		finally {
			this.stepRunning = false;
		}
	}

	private boolean emitNext(T row) {
		synchronized (this.signalLock) {
			if (this.terminated) {
				return false;
			}
			try {
				this.subscriber.onNext(row);
				return true;
			}
			catch (Throwable ex) {
				// Rule 2.13: a throwing subscriber is treated as having cancelled.
				this.terminated = true;
			}
		}
		this.observation.ended(new CancellationException("async-sql stream's subscriber threw from onNext"));
		cleanUp(false);
		return false;
	}

	/**
	 * End the stream once: stop emitting, cancel a running statement when ended from
	 * outside, release everything, then signal.
	 * @param failure the error to signal, or {@code null} to complete (or, when not
	 * signalling, for a cancellation)
	 * @param signal whether to signal the subscriber
	 */
	private void terminate(@Nullable Throwable failure, boolean signal) {
		synchronized (this.signalLock) {
			if (this.terminated) {
				return;
			}
			this.terminated = true;
		}
		this.observation.ended(signal ? failure : new CancellationException("async-sql stream was cancelled"));
		boolean completed = signal && failure == null;
		if (!completed && this.stepRunning) {
			// Only a step can be blocked in the driver; an idle statement needs no
			// cancel.
			// Through the step's connection, so that the cancel cannot outlive the step
			// and stop what the connection runs next.
			TrackedConnection running = this.stepConnection;
			if (running != null) {
				this.publisher.engine.threads.cancelUntilStopped(running::cancel, () -> this.stepRunning);
			}
		}
		cleanUp(completed).whenComplete((released, releaseFailure) -> {
			if (!signal) {
				return;
			}
			if (failure != null) {
				this.subscriber.onError(failure);
			}
			else if (releaseFailure != null) {
				this.subscriber.onError(EngineFailures.unwrap(releaseFailure));
			}
			else {
				this.subscriber.onComplete();
			}
		});
	}

	private void connectionReleased() {
		terminate(new EngineClosedException("async-sql stream's connection was closed before the stream ended"), true);
	}

	private CompletableFuture<Void> cleanUp(boolean completed) {
		this.timers.stop();
		Runnable unwatch = this.unwatchRelease;
		if (unwatch != null) {
			unwatch.run();
		}
		DefaultAsyncConnection current = this.lane;
		if (current == null || current.isClosed()) {
			// Closing the connection closes its statements too.
			return CompletableFuture.completedFuture(null);
		}
		return release(current, completed);
	}

	private CompletableFuture<Void> release(DefaultAsyncConnection current, boolean completed) {
		CompletableFuture<Void> closed = current.submit((con) -> {
			this.cursor.close(con, completed);
			return null;
		}, Deadline.NONE);
		if (!this.publisher.ownsConnection) {
			return closed;
		}
		return closed.handle((done, failure) -> failure)
			.thenCompose((failure) -> current.close().thenApply((ignored) -> {
				if (failure != null) {
					throw new CompletionException(failure);
				}
				return null;
			}));
	}

}
