package io.asyncsql.test.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.asyncsql.AsyncEngine;
import io.asyncsql.EngineStats;

import org.springframework.context.ApplicationContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;
import org.springframework.test.context.transaction.TransactionalTestExecutionListener;

/**
 * Opens each test's connection before the test method (and its {@code @BeforeEach}
 * methods) and rolls it back after it (and its {@code @AfterEach} methods), in contexts
 * started by {@link AsyncSqlTest @AsyncSqlTest}. Before the rollback it waits for the
 * engine to finish and for every connection to be given back; work that is still running
 * then fails the test, since it would run outside the test's transaction.
 */
final class TestConnectionExecutionListener extends AbstractTestExecutionListener {

	/**
	 * Longest wait at the end of a test for the engine to finish.
	 */
	static final Duration END_WAIT = Duration.ofSeconds(10);

	/**
	 * Around a test-managed transaction, if the test also has one.
	 */
	private static final int ORDER = new TransactionalTestExecutionListener().getOrder() - 100;

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public void beforeTestMethod(TestContext testContext) throws Exception {
		String testName = testContext.getTestClass().getSimpleName() + "." + testContext.getTestMethod().getName();
		for (TestConnectionDataSource dataSource : dataSources(testContext)) {
			dataSource.begin(testName);
		}
	}

	@Override
	public void afterTestMethod(TestContext testContext) throws Exception {
		List<TestConnectionDataSource> dataSources = dataSources(testContext);
		if (dataSources.isEmpty()) {
			return;
		}
		long deadline = System.nanoTime() + END_WAIT.toNanos();
		List<String> unfinished = new ArrayList<>();
		for (AsyncEngine engine : testContext.getApplicationContext().getBeanProvider(AsyncEngine.class)) {
			EngineStats stats = awaitIdle(engine, deadline);
			if (stats.active() > 0 || stats.queued() > 0) {
				unfinished.add("async-sql engine still had " + stats.active() + " operation(s) or open "
						+ "AsyncConnection(s) and " + stats.queued() + " queued operation(s)");
			}
		}
		for (TestConnectionDataSource dataSource : dataSources) {
			// Always end, so that the next test can begin, whatever happens while
			// waiting.
			try {
				TestConnection connection = dataSource.current();
				if (connection != null && !connection.awaitReturn(remaining(deadline))) {
					unfinished.add("thread '" + connection.borrower() + "' still held the test's connection");
				}
			}
			finally {
				dataSource.end();
			}
		}
		if (!unfinished.isEmpty()) {
			throw new IllegalStateException("When " + testContext.getTestMethod().getName() + " ended, "
					+ String.join(", and ", unfinished) + " after " + END_WAIT.toSeconds()
					+ "s. Its database work was rolled back; wait for every future and close every "
					+ "AsyncConnection before the test returns, or that work runs outside the test's transaction.");
		}
	}

	private static EngineStats awaitIdle(AsyncEngine engine, long deadline) {
		EngineStats stats = engine.stats();
		while ((stats.active() > 0 || stats.queued() > 0) && System.nanoTime() - deadline < 0) {
			// The engine offers no completion signal for "idle"; a short bounded poll
			// will do.
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
			stats = engine.stats();
		}
		return stats;
	}

	private static Duration remaining(long deadline) {
		return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
	}

	private static List<TestConnectionDataSource> dataSources(TestContext testContext) {
		if (!testContext.hasApplicationContext()) {
			return List.of();
		}
		ApplicationContext context = testContext.getApplicationContext();
		return context.getBeanProvider(TestConnectionDataSources.class)
			.stream()
			.flatMap((dataSources) -> dataSources.dataSources().stream())
			.toList();
	}

}
