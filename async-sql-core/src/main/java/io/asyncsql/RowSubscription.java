package io.asyncsql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.asyncsql.observation.OperationKind;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.JdbcUtils;

/**
 * One subscriber's execution of a {@link RowPublisher}.
 * <p>
 * Rows are read in <em>steps</em>, each an operation of the stream's lane: a step opens
 * the result set if needed and emits rows while the subscriber has demand, then ends, so
 * no engine thread waits while demand is zero (the lane keeps the connection and permit).
 * A work-in-progress counter makes sure at most one step is scheduled at a time; demand
 * that arrives during a step is served by that step.
 * <p>
 * Signals are serialised by one lock held while calling the subscriber; the terminal
 * signal comes only after the result set, statement and (for a stream that opened it) the
 * connection are released. On PostgreSQL a cursor needs a transaction, so a stream on its
 * own connection turns auto-commit off for its life.
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

	private volatile @Nullable DefaultAsyncConnection lane;

	private volatile @Nullable PreparedStatement statement;

	private volatile boolean terminated;

	private volatile boolean stepRunning;

	/** The connection of the latest step, through which a step is cancelled. */
	private volatile @Nullable TrackedConnection stepConnection;

	private volatile @Nullable ScheduledFuture<?> idleTimer;

	private volatile @Nullable ScheduledFuture<?> lifetimeTimer;

	private volatile @Nullable Runnable unwatchRelease;

	// Confined to steps, which the lane runs one at a time.
	private @Nullable ResultSet resultSet;

	private int rowNumber;

	/**
	 * Whether the cursor stands on a row not emitted yet, read ahead to find out whether
	 * the rows ended just as the demand did; confined to steps, as the cursor is.
	 */
	private boolean positioned;

	private boolean ownTransaction;

	RowSubscription(RowPublisher<T> publisher, Flow.Subscriber<? super T> subscriber) {
		this.publisher = publisher;
		this.subscriber = subscriber;
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
		cancelTimer(this.idleTimer);
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
						startLifetimeTimer();
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
			ResultSet rows = open(con);
			while (true) {
				long demand = this.requested.get();
				long emitted = 0;
				while (emitted != demand) {
					if (this.terminated) {
						return;
					}
					if (!advance(rows)) {
						terminate(null, true);
						return;
					}
					T row = this.publisher.rowMapper.mapRow(rows, this.rowNumber++);
					if (!emitNext(row)) {
						return;
					}
					emitted++;
				}
				if (demand != Long.MAX_VALUE && this.requested.addAndGet(-emitted) == 0 && emitted > 0
						&& !this.positioned) {
					// Demand met exactly: read one row ahead, so that a subscriber that
					// asked for just the rows there are still hears onComplete.
					if (!rows.next()) {
						terminate(null, true);
						return;
					}
					this.positioned = true;
				}
				missed = this.wip.addAndGet(-missed);
				if (missed == 0) {
					break;
				}
			}
			startIdleTimer();
		}
		catch (Throwable ex) {
			terminate(this.publisher.engine.failures.translate(ex, null), true);
		}
		finally {
			this.stepRunning = false;
		}
	}

	private boolean advance(ResultSet rows) throws SQLException {
		if (this.positioned) {
			this.positioned = false;
			return true;
		}
		return rows.next();
	}

	private ResultSet open(Connection con) throws SQLException {
		ResultSet rows = this.resultSet;
		if (rows != null) {
			PreparedStatement open = this.statement;
			TrackedConnection tracked = TrackedConnection.of(con);
			if (open != null && tracked != null) {
				tracked.track(open);
			}
			return rows;
		}
		if (this.publisher.ownsConnection && con.getAutoCommit()) {
			con.setAutoCommit(false);
			this.ownTransaction = true;
		}
		PreparedStatement prepared = con.prepareStatement(this.publisher.sql, ResultSet.TYPE_FORWARD_ONLY,
				ResultSet.CONCUR_READ_ONLY);
		this.statement = prepared;
		prepared.setFetchSize(this.publisher.fetchSize());
		DataSourceUtils.applyTimeout(prepared, this.publisher.engine.getDataSource(),
				this.publisher.jdbcTemplate.getQueryTimeout());
		new ArgumentPreparedStatementSetter(this.publisher.args).setValues(prepared);
		rows = prepared.executeQuery();
		this.resultSet = rows;
		return rows;
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
		cancelTimer(this.idleTimer);
		cancelTimer(this.lifetimeTimer);
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
			JdbcUtils.closeResultSet(this.resultSet);
			JdbcUtils.closeStatement(this.statement);
			this.resultSet = null;
			if (this.ownTransaction) {
				this.ownTransaction = false;
				try {
					if (completed) {
						con.commit();
					}
					else {
						con.rollback();
					}
				}
				finally {
					con.setAutoCommit(true);
				}
			}
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

	private void startIdleTimer() {
		if (this.requested.get() != 0 || this.terminated) {
			return;
		}
		Duration idle = this.publisher.engine.streamIdleTimeout;
		ScheduledFuture<?> timer = this.publisher.engine.threads.schedule(() -> {
			if (this.requested.get() == 0 && this.wip.get() == 0) {
				terminate(new StreamTimeoutException("async-sql stream held its connection for " + idle
						+ " without demand from its subscriber and was cancelled; request rows sooner or raise async-sql.stream.idle-timeout"),
						true);
			}
		}, idle.toNanos());
		this.idleTimer = timer;
		cancelIfTerminated(timer);
	}

	private void startLifetimeTimer() {
		Duration lifetime = this.publisher.engine.streamMaxLifetime;
		if (lifetime != null) {
			ScheduledFuture<?> timer = this.publisher.engine.threads
				.schedule(() -> terminate(
						new StreamTimeoutException("async-sql stream was open for longer than " + lifetime
								+ " and was cancelled; raise async-sql.stream.max-lifetime or read less at a time"),
						true), lifetime.toNanos());
			this.lifetimeTimer = timer;
			cancelIfTerminated(timer);
		}
	}

	/**
	 * Cancel a timer, already stored, that was scheduled as the stream ended: clean-up
	 * may have looked for it before it was stored, and it would keep the subscriber
	 * reachable until it fires (Reactive Streams rule 3.13).
	 */
	private void cancelIfTerminated(@Nullable ScheduledFuture<?> timer) {
		if (this.terminated) {
			cancelTimer(timer);
		}
	}

	private static void cancelTimer(@Nullable ScheduledFuture<?> timer) {
		if (timer != null) {
			timer.cancel(false);
		}
	}

}
