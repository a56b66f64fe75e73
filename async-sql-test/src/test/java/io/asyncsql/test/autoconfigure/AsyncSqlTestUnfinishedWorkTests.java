package io.asyncsql.test.autoconfigure;

import java.lang.reflect.Method;
import java.time.Duration;

import io.asyncsql.AsyncConnection;
import io.asyncsql.AsyncEngine;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestContextManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A test that returns while its work still holds the connection fails, and its work is
 * rolled back all the same. The test is driven through Spring's
 * {@link TestContextManager}, as the JUnit extension drives it.
 */
class AsyncSqlTestUnfinishedWorkTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Test
	void testThatLeavesAnAsyncConnectionOpenFailsAndIsRolledBack() throws Exception {
		TestContextManager manager = new TestContextManager(LeavesAConnectionOpen.class);
		LeavesAConnectionOpen test = new LeavesAConnectionOpen();
		Method method = LeavesAConnectionOpen.class.getDeclaredMethod("leaveAConnectionOpen");
		manager.prepareTestInstance(test);
		manager.beforeTestMethod(test, method);
		AsyncConnection lane = test.engine.connect().get();
		assertThat(lane.update("insert into account (id, name) values (?, ?)", 7, "Sally Sasser")).succeedsWithin(WAIT);
		assertThatIllegalStateException().isThrownBy(() -> manager.afterTestMethod(test, method, null))
			.withMessageContaining("leaveAConnectionOpen")
			.withMessageContaining("AsyncConnection");
		assertThat(lane.close()).succeedsWithin(WAIT);
		JdbcTemplate afterwards = manager.getTestContext().getApplicationContext().getBean(JdbcTemplate.class);
		assertThat(afterwards.queryForObject("select count(*) from account", Integer.class)).isZero();
	}

	@AsyncSqlTest
	static class LeavesAConnectionOpen {

		@Autowired
		AsyncEngine engine;

		void leaveAConnectionOpen() {
		}

	}

}
