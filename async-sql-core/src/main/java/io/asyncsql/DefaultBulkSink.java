package io.asyncsql;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

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

	private final Function<OperationObservation, CompletableFuture<AsyncConnection>> connector;

	private final OperationObservation observation;

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

	// Set once each, read by lane operations and the stages between them.

	private volatile @Nullable DefaultAsyncConnection lane;

	private volatile @Nullable AsyncTransaction transaction;

	/** Whether the load failed or was cancelled: nothing more is written or committed. */
	private volatile boolean failed;

	/** Whether the sink completes the result itself, rather than a caller's cancel. */
	private volatile boolean settling;

	private volatile long committed;

	/** Confined to lane operations. */
	private @Nullable BulkWriter<T> writer;

	/** Rows written in the current transaction; confined to lane operations. */
	private long uncommitted;

	DefaultBulkSink(BulkLoad<T> load, OperationObservation observation,
			Function<OperationObservation, CompletableFuture<AsyncConnection>> connector) {
		this.load = load;
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
		return this.committed;
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
		this.connector.apply(this.observation).thenCompose(this::begin).whenComplete((begun, failure) -> {
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

	private CompletableFuture<Void> begin(AsyncConnection connection) {
		DefaultAsyncConnection opened = (DefaultAsyncConnection) connection;
		this.lane = opened;
		if (this.failed) {
			return CompletableFuture.completedFuture(null);
		}
		return opened.begin().thenCompose((begun) -> {
			this.transaction = begun;
			return opened.submit((con) -> {
				this.writer = BulkWriter.open(con, this.load);
				return null;
			});
		});
	}

	@Override
	public void onNext(T row) {
		Objects.requireNonNull(row, "'row' must not be null (rule 2.13)");
		boolean unrequested = false;
		boolean request = false;
		synchronized (this.lock) {
			if (this.ended) {
				return;
			}
			List<T> batch = this.filling;
			if (batch == null || batch.size() >= this.target) {
				unrequested = true;
			}
			else {
				batch.add(row);
				if (batch.size() == this.target) {
					this.filling = null;
					request = handOver(batch, false);
				}
			}
		}
		if (unrequested) {
			fail(new IllegalStateException("async-sql BulkSink received a row it had not requested (rule 1.1)"), true);
		}
		else if (request) {
			requestBatch();
		}
	}

	/**
	 * Put a batch on the chain, with a commit after it where one falls or at the end;
	 * called holding the lock.
	 * @return whether to request the next batch now
	 */
	private boolean handOver(List<T> batch, boolean last) {
		long commitEvery = this.load.getCommitEvery();
		this.handedOver += batch.size();
		boolean commit = last || (commitEvery > 0 && this.handedOver % commitEvery == 0);
		this.inFlight++;
		CompletableFuture<Void> written = this.tail.thenCompose((previous) -> write(batch, commit));
		this.tail = written;
		written.whenComplete((done, failure) -> batchWritten(failure));
		if (last) {
			return false;
		}
		if (this.inFlight < 2) {
			return true;
		}
		this.requestDeferred = true;
		return false;
	}

	private CompletableFuture<Void> write(List<T> batch, boolean commit) {
		DefaultAsyncConnection current = lane();
		CompletableFuture<Void> written = current.submit((con) -> {
			if (this.failed) {
				return null;
			}
			BulkWriter<T> bulk = writer();
			if (!batch.isEmpty()) {
				bulk.write(con, batch);
				this.uncommitted += batch.size();
			}
			if (commit) {
				bulk.endChunk(con);
			}
			return null;
		});
		return commit ? written.thenCompose((done) -> commit(current)) : written;
	}

	/**
	 * Commit the transaction, and begin the next one unless the publisher has completed.
	 */
	private CompletableFuture<Void> commit(DefaultAsyncConnection current) {
		if (this.failed) {
			return CompletableFuture.completedFuture(null);
		}
		return transaction().commit().thenCompose((done) -> {
			this.committed += this.uncommitted;
			this.uncommitted = 0;
			synchronized (this.lock) {
				if (this.ended) {
					return CompletableFuture.completedFuture(null);
				}
			}
			return current.begin().thenAccept((next) -> this.transaction = next);
		});
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
		synchronized (this.lock) {
			if (this.ended) {
				return;
			}
			this.ended = true;
			List<T> rest = this.filling;
			this.filling = null;
			handOver((rest != null) ? rest : List.of(), true);
			this.tail.whenComplete((done, failure) -> {
				if (failure == null) {
					finish();
				}
			});
		}
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
		running.handle((done, failure) -> null)
			.thenCompose((ignored) -> rollBack())
			.whenComplete((released, releaseFailure) -> {
				if (releaseFailure != null) {
					cause.addSuppressed(EngineFailures.unwrap(releaseFailure));
				}
				settle(null, cause);
			});
	}

	/**
	 * Drop what the writer has under way, roll back what is not committed and release the
	 * connection; a failed rollback fails the returned future once the connection is
	 * back.
	 */
	private CompletableFuture<Void> rollBack() {
		DefaultAsyncConnection current = this.lane;
		if (current == null) {
			return CompletableFuture.completedFuture(null);
		}
		return current.submit((con) -> {
			BulkWriter<T> bulk = this.writer;
			if (bulk != null) {
				bulk.abort();
				bulk.close();
			}
			return null;
		}, Deadline.NONE).handle((done, failure) -> null).thenCompose((ignored) -> {
			AsyncTransaction open = this.transaction;
			return (open != null && open.isActive()) ? open.rollback() : CompletableFuture.completedFuture(null);
		}).handle((done, failure) -> failure).thenCompose((rollbackFailure) -> current.close().thenApply((closed) -> {
			if (rollbackFailure != null) {
				throw new CompletionException(EngineFailures.unwrap(rollbackFailure));
			}
			return null;
		}));
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
		DefaultAsyncConnection current = lane();
		current.submit((con) -> {
			BulkWriter<T> bulk = this.writer;
			if (bulk != null) {
				bulk.close();
			}
			return null;
		}, Deadline.NONE)
			.handle((done, failure) -> null)
			.thenCompose((ignored) -> current.close())
			.whenComplete((closed, closeFailure) -> {
				if (closeFailure != null) {
					settle(null, EngineFailures.unwrap(closeFailure));
				}
				else {
					settle(this.committed, null);
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

	private DefaultAsyncConnection lane() {
		DefaultAsyncConnection current = this.lane;
		Assert.state(current != null, "Bulk load has no connection");
		return current;
	}

	private BulkWriter<T> writer() {
		BulkWriter<T> current = this.writer;
		Assert.state(current != null, "Bulk load has no writer");
		return current;
	}

	private AsyncTransaction transaction() {
		AsyncTransaction current = this.transaction;
		Assert.state(current != null, "Bulk load has no transaction");
		return current;
	}

}
