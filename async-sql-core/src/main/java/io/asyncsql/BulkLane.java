package io.asyncsql;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * The database side of a {@link DefaultBulkSink}: its lane, the transaction open on it
 * and the {@link BulkWriter}. Each method submits lane operations (and the engine's
 * transaction steps, so that begin, commit and rollback are the lane's own), and the sink
 * calls the next only once the future of the one before has completed.
 *
 * @param <T> the row type
 */
final class BulkLane<T> {

	private final BulkLoad<T> load;

	private volatile @Nullable DefaultAsyncConnection lane;

	private volatile @Nullable AsyncTransaction transaction;

	/** Whether the load failed or was cancelled: nothing more is written or committed. */
	private volatile boolean stopped;

	private volatile long committed;

	/** Confined to lane operations. */
	private @Nullable BulkWriter<T> writer;

	/** Rows written in the current transaction; confined to lane operations. */
	private long uncommitted;

	BulkLane(BulkLoad<T> load) {
		this.load = load;
	}

	/**
	 * Take the lane, begin its transaction and choose the writer, unless stopped by then.
	 */
	CompletableFuture<Void> open(DefaultAsyncConnection opened) {
		this.lane = opened;
		if (this.stopped) {
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

	/**
	 * Write a batch, then commit when asked to, and begin the next transaction unless the
	 * batch is the last; does nothing once stopped.
	 */
	CompletableFuture<Void> write(List<T> batch, boolean commit, boolean last) {
		DefaultAsyncConnection current = lane();
		CompletableFuture<Void> written = current.submit((con) -> {
			if (this.stopped) {
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
		return commit ? written.thenCompose((done) -> commit(current, last)) : written;
	}

	private CompletableFuture<Void> commit(DefaultAsyncConnection current, boolean last) {
		if (this.stopped) {
			return CompletableFuture.completedFuture(null);
		}
		return transaction().commit().thenCompose((done) -> {
			this.committed += this.uncommitted;
			this.uncommitted = 0;
			return (last || this.stopped) ? CompletableFuture.completedFuture(null)
					: current.begin().thenAccept((next) -> this.transaction = next);
		});
	}

	/**
	 * Write and commit nothing more: batches still on their way are dropped.
	 */
	void stop() {
		this.stopped = true;
	}

	/**
	 * Drop what the writer has under way, roll back what is not committed and release the
	 * connection; a failed rollback fails the returned future once the connection is
	 * back.
	 */
	CompletableFuture<Void> rollBackAndRelease() {
		DefaultAsyncConnection current = this.lane;
		if (current == null) {
			return CompletableFuture.completedFuture(null);
		}
		return closeWriter(current, true).thenCompose((ignored) -> {
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
	 * Close the writer and release the connection after the last commit.
	 */
	CompletableFuture<Void> release() {
		DefaultAsyncConnection current = lane();
		return closeWriter(current, false).thenCompose((ignored) -> current.close());
	}

	private CompletableFuture<@Nullable Void> closeWriter(DefaultAsyncConnection current, boolean abort) {
		return current.submit((con) -> {
			BulkWriter<T> bulk = this.writer;
			if (bulk != null) {
				if (abort) {
					bulk.abort();
				}
				bulk.close();
			}
			return null;
		}, Deadline.NONE).handle((done, failure) -> null);
	}

	long committed() {
		return this.committed;
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
