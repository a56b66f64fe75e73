package io.asyncsql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker's shift keeps the thread's transaction resources set up across its tasks and
 * leaves the thread as it found it; nested shifts (work run inline once the workers have
 * stopped) leave the outer one's set-up alone.
 */
class ShiftTests {

	private final HikariDataSource pool = TestDatabase.H2.pool("shift", 2);

	private final AsyncEngine engine = AsyncEngine.builder(this.pool).threadMode(ThreadMode.PLATFORM).build();

	@AfterEach
	void close() {
		this.engine.close();
		this.pool.close();
		// Whatever a failed test left bound on this thread, so it cannot spill into
		// others.
		List.copyOf(TransactionSynchronizationManager.getResourceMap().keySet())
			.forEach(TransactionSynchronizationManager::unbindResource);
	}

	@Test
	void aShiftLeavesNothingBoundOnItsThread() {
		assertThat(TransactionSynchronizationManager.getResourceMap()).isEmpty();
		Shift outer = new Shift();
		assertThat(TransactionSynchronizationManager.getResourceMap()).hasSize(1);
		Shift nested = new Shift();
		assertThat(TransactionSynchronizationManager.getResourceMap()).hasSize(1);
		nested.end();
		assertThat(TransactionSynchronizationManager.getResourceMap()).as("the outer shift's marker").hasSize(1);
		outer.end();
		assertThat(TransactionSynchronizationManager.getResourceMap()).isEmpty();
	}

	@Test
	void operationsRunInOneShiftEachSeeTheirConnectionBoundAndOnlyTheMarkerBetween() throws SQLException {
		try (Connection connection = this.pool.getConnection()) {
			Shift shift = new Shift();
			for (int i = 0; i < 2; i++) {
				CompletableFuture<Map<Object, Object>> during = new CompletableFuture<>();
				// In a lane, as DefaultAsyncConnection runs it: no permit to give back.
				EngineOperation<Integer> operation = EngineOperation.create(this.engine,
						(t) -> this.engine.binding.runBound(t, connection, (con) -> {
							during.complete(Map.copyOf(TransactionSynchronizationManager.getResourceMap()));
							return 1;
						}), Deadline.NONE, true, false);
				operation.markRunning();
				shift.run(operation);
				assertThat(shift.operation()).isNull();
				assertThat(Futures.result(operation.future)).isOne();
				assertThat(Futures.result(during)).containsKey(this.pool).hasSize(2);
				assertThat(TransactionSynchronizationManager.getResourceMap()).as("only the shift's marker").hasSize(1);
			}
			shift.end();
		}
		assertThat(TransactionSynchronizationManager.getResourceMap()).isEmpty();
	}

}
