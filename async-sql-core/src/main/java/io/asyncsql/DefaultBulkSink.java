package io.asyncsql;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The {@link BulkSink} of {@link AsyncJdbcTemplate#bulkSink(BulkLoad)}.
 * <p>
 * Rows arriving from the publisher fill a batch; a full batch is handed to the <em>writer
 * chain</em>, a sequence of futures each of which submits one operation to the sink's
 * lane (write a batch; end a chunk, commit and begin again) once the one before has
 * completed. Demand follows the chain: the sink asks for the next batch as it hands one
 * over, unless one is still waiting for the database, and then only when that one is
 * written. So the publisher never has more than one batch of demand outstanding and the
 * sink never holds more than two batches, however fast the publisher is.
 * <p>
 * State shared by the publisher's thread, engine threads and cancelling callers is
 * guarded by {@link #lock}; the subscription is called outside it, because a publisher
 * may signal {@code onNext} from inside {@code request}. Calls to the subscription are
 * serialised by {@link #subscriptionLock} (rule 2.7). Everything the writer touches runs
 * as lane operations, one at a time.
 *
 * @param <T> the row type
 */
final class DefaultBulkSink<T> implements BulkSink<T> {

	private final BulkLoad<T> load;

	private final Function<OperationObservation, CompletableFuture<DefaultAsyncConnection>> connector;

	private final OperationObservation observation;

	private final BulkLane<T> lane;

	private final CompletableFuture<Long> result = new CompletableFuture<>();

	private final Object lock = new Object();

	private final Object subscriptionLock = new Object();

	/** Completes once the lane is open and its transaction begun; the chain's start. */
	private final CompletableFuture<Void> opened = new CompletableFuture<>();

	// Guarded by lock.

	private Flow.@Nullable Subscription subscription;

	private @Nullable List<T> filling;

	/** Rows the filling batch takes: what was last requested. */
	private int target;

	private long handedOver;

	/** Batches handed to the chain and not yet written. */
	private int inFlight;

	private boolean requestDeferred;

	/** Whether no more rows are taken: the publisher ended, or the load failed. */
	private boolean ended;

	/** Whether the last commit is done and the connection is being released. */
	private boolean finishing;

	private CompletableFuture<?> tail = this.opened;

	/** Whether the load failed or was cancelled. */
	private volatile boolean failed;

	/**
	 * The connection asked for at subscription; cancelled by a failure while it waits.
	 */
	private volatile @Nullable CompletableFuture<DefaultAsyncConnection> connecting;

	/** Whether the sink completes the result itself, rather than a caller's cancel. */
	private volatile boolean settling;

	DefaultBulkSink(BulkLoad<T> load, OperationObservation observation,
			Function<OperationObservation, CompletableFuture<DefaultAsyncConnection>> connector) {
		this.load = load;
		this.lane = new BulkLane<>(load);
		this.observation = observation;
		this.connector = connector;
		observation.endWith(this.result);
		this.result.whenComplete((rows, failure) -> {
			if (!this.settling) {
				fail(new CancellationException("async-sql bulk load was cancelled"), true);
			}
		});
	}

	@Override
	public CompletableFuture<Long> result() {
		return this.result;
	}

	@Override
	public long committedRows() {
		return this.lane.committed();
	}

	@Override
	public void onSubscribe(Flow.Subscription subscription) {
		Objects.requireNonNull(subscription, "'subscription' must not be null (rule 2.13)");
		boolean second;
		boolean refused;
		synchronized (this.lock) {
			second = this.subscription != null;
			refused = second || this.failed;
			if (!refused) {
				this.subscription = subscription;
			}
		}
		if (refused) {
			// Rule 2.5: cancel the newcomer. The load it would join fails: the program
			// that subscribed one sink twice is wrong.
			subscription.cancel();
			if (second) {
				fail(new IllegalStateException("async-sql BulkSink was subscribed to a second time; a sink writes the "
						+ "rows of one publisher, once: create a sink per publisher"), true);
			}
			return;
		}
		CompletableFuture<DefaultAsyncConnection> connection = this.connector.apply(this.observation);
		this.connecting = connection;
		if (this.failed) {
			// A cancel came meanwhile: one that missed the field above.
			connection.cancel(false);
		}
		connection.thenCompose(this.lane::open).whenComplete((begun, failure) -> {
			if (failure != null) {
				this.opened.completeExceptionally(failure);
				fail(EngineFailures.unwrap(failure), true);
			}
			else {
				this.opened.complete(null);
				requestBatch();
			}
		});
	}

	@Override
	public void onNext(T row) {
		Objects.requireNonNull(row, "'row' must not be null (rule 2.13)");
		CompletableFuture<Void> written = null;
		boolean request = false;
		synchronized (this.lock) {
			if (this.ended) {
				return;
			}
			List<T> batch = this.filling;
			if (batch != null && batch.size() < this.target) {
				batch.add(row);
				if (batch.size() < this.target) {
					return;
				}
				this.filling = null;
				written = handOver(batch, false);
				request = this.inFlight < 2;
				this.requestDeferred = !request;
			}
		}
		if (written == null) {
			fail(new IllegalStateException("async-sql BulkSink received a row it had not requested (rule 1.1)"), true);
			return;
		}
		// Outside the lock: a future already completed runs its callback at once.
		written.whenComplete((done, failure) -> batchWritten(failure));
		if (request) {
			requestBatch();
		}
	}

	/**
	 * Put a batch on the chain, with a commit after it where one falls or at the end;
	 * called holding the lock.
	 * @return the future of the batch's writing (and commit)
	 */
	private CompletableFuture<Void> handOver(List<T> batch, boolean last) {
		long commitEvery = this.load.getCommitEvery();
		this.handedOver += batch.size();
		boolean commit = last || (commitEvery > 0 && this.handedOver % commitEvery == 0);
		this.inFlight++;
		CompletableFuture<Void> written = this.tail.thenCompose((previous) -> this.lane.write(batch, commit, last));
		this.tail = written;
		return written;
	}

	private void batchWritten(@Nullable Throwable failure) {
		if (failure != null) {
			fail(EngineFailures.unwrap(failure), true);
			return;
		}
		boolean request;
		synchronized (this.lock) {
			this.inFlight--;
			request = this.requestDeferred && !this.ended;
			this.requestDeferred = false;
		}
		if (request) {
			requestBatch();
		}
	}

	/**
	 * Ask for the next batch: up to the batch size, or to where the next commit falls.
	 */
	private void requestBatch() {
		int size;
		Flow.Subscription current;
		synchronized (this.lock) {
			if (this.ended) {
				return;
			}
			long commitEvery = this.load.getCommitEvery();
			long untilCommit = (commitEvery > 0) ? commitEvery - this.handedOver % commitEvery : Long.MAX_VALUE;
			size = (int) Math.min(this.load.getBatchSize(), untilCommit);
			this.target = size;
			this.filling = new ArrayList<>(size);
			current = this.subscription;
		}
		if (current != null) {
			synchronized (this.subscriptionLock) {
				current.request(size);
			}
		}
	}

	@Override
	public void onError(Throwable throwable) {
		Objects.requireNonNull(throwable, "'throwable' must not be null (rule 2.13)");
		fail(throwable, false);
	}

	@Override
	public void onComplete() {
		CompletableFuture<Void> written;
		synchronized (this.lock) {
			if (this.ended) {
				return;
			}
			this.ended = true;
			List<T> rest = this.filling;
			this.filling = null;
			written = handOver((rest != null) ? rest : List.of(), true);
		}
		written.whenComplete((done, failure) -> {
			batchWritten(failure);
			if (failure == null) {
				finish();
			}
		});
	}

	/**
	 * End the load with a failure, once: stop taking rows, cancel the subscription unless
	 * the publisher ended it, let the running lane operation finish, roll back what is
	 * not committed and release the connection, then fail the result.
	 */
	private void fail(Throwable cause, boolean cancelUpstream) {
		Flow.Subscription current;
		boolean upstreamActive;
		CompletableFuture<?> running;
		synchronized (this.lock) {
			if (this.failed || this.finishing) {
				return;
			}
			this.failed = true;
			this.lane.stop();
			upstreamActive = !this.ended;
			this.ended = true;
			this.filling = null;
			current = this.subscription;
			running = this.tail;
			if (current == null) {
				// Never subscribed, and never will be: there is no connection to wait
				// for.
				this.opened.completeExceptionally(cause);
			}
		}
		if (cancelUpstream && upstreamActive && current != null) {
			synchronized (this.subscriptionLock) {
				current.cancel();
			}
		}
		CompletableFuture<DefaultAsyncConnection> connection = this.connecting;
		if (connection != null) {
			// Leaves the engine's queue if still there; a lane that comes all the same is
			// closed by the engine, or by the chain below once opened.
			connection.cancel(false);
		}
		running.handle((done, failure) -> null)
			.thenCompose((ignored) -> this.lane.rollBackAndRelease())
			.whenComplete((released, releaseFailure) -> {
				if (releaseFailure != null) {
					cause.addSuppressed(EngineFailures.unwrap(releaseFailure));
				}
				settle(null, cause);
			});
	}

	/**
	 * Close the writer and the connection after the last commit, then complete the
	 * result, unless a cancel came first.
	 */
	private void finish() {
		synchronized (this.lock) {
			if (this.failed) {
				return;
			}
			this.finishing = true;
		}
		this.lane.release().whenComplete((released, releaseFailure) -> {
			if (releaseFailure != null) {
				settle(null, EngineFailures.unwrap(releaseFailure));
			}
			else {
				settle(this.lane.committed(), null);
			}
		});
	}

	private void settle(@Nullable Long rows, @Nullable Throwable failure) {
		this.settling = true;
		if (failure != null) {
			this.result.completeExceptionally(failure);
		}
		else {
			this.result.complete(rows);
		}
	}

}
