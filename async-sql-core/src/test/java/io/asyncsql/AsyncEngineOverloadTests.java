package io.asyncsql;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Far more submissions than the engine can hold: every future completes, rejections are
 * immediate, and threads and heap stay bounded.
 */
class AsyncEngineOverloadTests {

	private static final int SUBMISSIONS = 100_000;

	private static final int QUEUE_CAPACITY = 10_000;

	private static final int MAX_CONCURRENCY = 4;

	private static final int SUBMITTERS = 4;

	private static final Pattern WORKER = Pattern.compile("async-sql-overload-\\d+");

	private EngineFixture fixture;

	private AsyncEngine engine;

	@BeforeEach
	void startEngine() {
		this.fixture = EngineFixture.start(TestDatabase.H2, "overload", MAX_CONCURRENCY,
				(engine) -> engine.threadMode(ThreadMode.PLATFORM).queueCapacity(QUEUE_CAPACITY));
		this.engine = this.fixture.engine();
	}

	@AfterEach
	void stopEngine() {
		this.fixture.close();
	}

	@Test
	void submissionsBeyondQueueCapacityAreRejectedAtOnceAndEveryFutureCompletes() throws InterruptedException {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
		AtomicReferenceArray<CompletableFuture<Integer>> futures = new AtomicReferenceArray<>(SUBMISSIONS);
		AtomicReferenceArray<Boolean> doneAtReturn = new AtomicReferenceArray<>(SUBMISSIONS);
		AtomicInteger mostWorkers = new AtomicInteger();
		AtomicInteger mostThreads = new AtomicInteger();
		List<Thread> submitters = new ArrayList<>();
		for (int s = 0; s < SUBMITTERS; s++) {
			int first = s;
			submitters.add(new Thread(() -> {
				for (int i = first; i < SUBMISSIONS; i += SUBMITTERS) {
					CompletableFuture<Integer> future = this.engine.execute((connection) -> {
						// A statement of about a millisecond.
						LockSupport.parkNanos(1_000_000);
						try (Statement statement = connection.createStatement();
								ResultSet result = statement.executeQuery("select 1")) {
							result.next();
							return result.getInt(1);
						}
					});
					doneAtReturn.set(i, future.isDone());
					futures.set(i, future);
					if (i % 5000 == first) {
						mostWorkers.accumulateAndGet(countWorkers(), Math::max);
						mostThreads.accumulateAndGet(ManagementFactory.getThreadMXBean().getThreadCount(), Math::max);
					}
				}
			}, "overload-submitter-" + s));
		}
		submitters.forEach(Thread::start);
		for (Thread submitter : submitters) {
			submitter.join(Duration.ofSeconds(30).toMillis());
			assertThat(submitter.isAlive()).as("submitter still running").isFalse();
		}
		mostWorkers.accumulateAndGet(countWorkers(), Math::max);

		CompletableFuture<?>[] all = new CompletableFuture<?>[SUBMISSIONS];
		for (int i = 0; i < SUBMISSIONS; i++) {
			all[i] = futures.get(i);
		}
		assertThat(CompletableFuture.allOf(all).exceptionally((ex) -> null)).succeedsWithin(Duration.ofSeconds(60));

		int completed = 0;
		int rejected = 0;
		int failed = 0;
		for (int i = 0; i < SUBMISSIONS; i++) {
			Throwable failure = Futures.failure(futures.get(i));
			if (failure == null) {
				completed++;
			}
			else if (failure instanceof EngineSaturatedException) {
				rejected++;
				assertThat(doneAtReturn.get(i)).as("rejection %d was complete when execute returned", i).isTrue();
			}
			else {
				failed++;
			}
		}
		assertThat(completed + rejected + failed).isEqualTo(SUBMISSIONS);
		assertThat(rejected).as("rejections").isPositive();
		assertThat(completed).as("accepted before the queue filled").isGreaterThanOrEqualTo(QUEUE_CAPACITY);
		int completedCount = completed;
		int rejectedCount = rejected;
		int failedCount = failed;
		// An operation is counted just after its future's own stages have run.
		Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			EngineStats stats = this.engine.stats();
			assertThat(stats.completed()).isEqualTo(completedCount);
			assertThat(stats.rejected()).isEqualTo(rejectedCount);
			assertThat(stats.failed()).isEqualTo(failedCount);
			assertThat(stats.submitted()).isEqualTo(SUBMISSIONS);
			assertThat(stats.active()).isZero();
			assertThat(stats.queued()).isZero();
		});
		assertThat(mostWorkers.get()).as("worker threads").isBetween(1, MAX_CONCURRENCY);
		assertThat(mostThreads.get() - threadsBefore).as("threads started during the load")
			.isLessThanOrEqualTo(SUBMITTERS + MAX_CONCURRENCY + 10);
		System.gc();
		assertThat(memory.getHeapMemoryUsage().getUsed()).as("heap in use, all futures still referenced")
			.isLessThan(512L * 1024 * 1024);
	}

	private static int countWorkers() {
		return (int) Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> WORKER.matcher(thread.getName()).matches())
			.count();
	}

}
