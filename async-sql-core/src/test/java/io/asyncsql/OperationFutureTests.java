package io.asyncsql;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariDataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever completes an engine future, the engine hears of it first: a queued operation
 * completed by its caller leaves the queue, never runs and is counted once; a running one
 * has its statement cancelled; the engine goes on.
 */
class OperationFutureTests {

	private final HikariDataSource pool = TestDatabase.H2.pool("task-future", 1);

	private final AsyncEngine engine = AsyncEngine.builder(this.pool).threadMode(ThreadMode.PLATFORM).build();

	private final AsyncJdbcTemplate template = new AsyncJdbcTemplate(this.engine);

	@AfterEach
	void close() {
		this.engine.close();
		this.pool.close();
	}

	@Test
	void everyWayOfCompletingAQueuedOperationTakesItOutOfTheQueue() {
		List<Consumer<CompletableFuture<Integer>>> completions = List.of((future) -> future.cancel(true),
				(future) -> future.complete(42), (future) -> future.completeExceptionally(new IllegalStateException()),
				(future) -> future.obtrudeValue(7), (future) -> future.obtrudeException(new IllegalStateException()),
				(future) -> future.completeAsync(() -> 9, ForkJoinPool.commonPool()),
				(future) -> future.orTimeout(1, TimeUnit.MILLISECONDS),
				(future) -> future.completeOnTimeout(5, 1, TimeUnit.MILLISECONDS));
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Integer> holder = this.engine.execute((con) -> Futures.await(release) ? 1 : 0);
		Awaitility.await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 1);
		for (Consumer<CompletableFuture<Integer>> completion : completions) {
			CompletableFuture<Integer> queued = this.template.queryForObject("SELECT 1", Integer.class);
			assertThat(this.engine.stats().queued()).isOne();
			completion.accept(queued);
			Awaitility.await().atMost(Futures.WAIT).until(() -> this.engine.stats().queued() == 0);
		}
		release.countDown();
		assertThat(Futures.result(holder)).isOne();
		assertThat(Futures.result(this.template.queryForObject("SELECT 2", Integer.class))).isEqualTo(2);
		// Some of the completions above happen on other threads, later.
		Awaitility.await().atMost(Futures.WAIT).untilAsserted(() -> {
			EngineStats stats = this.engine.stats();
			assertThat(stats.completed() + stats.failed() + stats.cancelled()).isEqualTo(completions.size() + 2);
			assertThat(stats.cancelled()).isOne();
			assertThat(stats.active()).isZero();
		});
	}

	@Test
	void anOperationTheEngineCompletesIsCountedBeforeItsStagesRun() {
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Integer> succeeding = this.engine.execute((con) -> Futures.await(release) ? 1 : 0);
		CompletableFuture<EngineStats> seenOnSuccess = succeeding.thenApply((value) -> this.engine.stats());
		// Queued behind the first on the one connection, so its stage is there before it
		// completes.
		CompletableFuture<Integer> failing = this.template.queryForObject("select * from no_such_table", Integer.class);
		CompletableFuture<EngineStats> seenOnFailure = failing.handle((value, failure) -> this.engine.stats());
		release.countDown();
		assertThat(Futures.result(seenOnSuccess).completed()).isOne();
		assertThat(Futures.result(seenOnFailure).failed()).isOne();
		assertThat(this.engine.stats().completed() + this.engine.stats().failed()).isEqualTo(2);
	}

	@Test
	void aCancellationIsCountedBeforeItsStagesRun() {
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Integer> holder = this.engine.execute((con) -> Futures.await(release) ? 1 : 0);
		Awaitility.await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 1);
		CompletableFuture<Integer> queued = this.template.queryForObject("SELECT 1", Integer.class);
		CompletableFuture<Long> seenOnCancel = queued.handle((value, failure) -> this.engine.stats().cancelled());
		assertThat(queued.cancel(true)).isTrue();
		assertThat(Futures.result(seenOnCancel)).isOne();
		release.countDown();
		assertThat(Futures.result(holder)).isOne();
	}

	@Test
	void aQueuedOperationCancelledWhileItsCallbacksRunNeverStarts() {
		new JdbcTemplate(this.pool).execute("create table t (n int)");
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Integer> holder = this.engine.execute((con) -> Futures.await(release) ? 1 : 0);
		Awaitility.await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 1);
		CompletableFuture<Integer> queued = this.template.update("insert into t values (1)");
		// The caller's own stage frees the permit while the cancellation is still under
		// way: the engine must already know the insert is off.
		queued.whenComplete((value, failure) -> {
			release.countDown();
			Futures.result(holder);
		});
		assertThat(queued.cancel(true)).isTrue();
		Awaitility.await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 0);
		assertThat(Futures.result(this.template.queryForObject("select count(*) from t", Integer.class))).isZero();
	}

	@Test
	void completingARunningOperationCancelsItsStatement() {
		CompletableFuture<Long> running = this.template.queryForObject(H2.LONG_QUERY, Long.class);
		Awaitility.await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 1);
		assertThat(running.complete(0L)).isTrue();
		Awaitility.await().atMost(Futures.WAIT).until(() -> this.engine.stats().active() == 0);
		assertThat(Futures.result(this.template.queryForObject("select 2", Integer.class))).isEqualTo(2);
	}

	@Test
	void dependentStagesArePlainFutures() {
		CompletableFuture<Integer> future = this.template.queryForObject("SELECT 1", Integer.class);
		CompletableFuture<Integer> dependent = future.thenApply((value) -> value + 1);
		assertThat(dependent.getClass()).isEqualTo(CompletableFuture.class);
		assertThat(Futures.result(dependent)).isEqualTo(2);
	}

}
