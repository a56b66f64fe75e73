package io.asyncsql.test.autoconfigure;

import java.sql.Connection;

import javax.sql.DataSource;

import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcClient;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.reactor.ReactiveJdbcTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an {@link AsyncSqlTest @AsyncSqlTest} starts, and what it leaves out.
 */
@AsyncSqlTest(properties = { "async-sql.executor.max-concurrency=8",
		"spring.datasource.url=jdbc:h2:mem:configured;DB_CLOSE_DELAY=-1" })
class AsyncSqlTestSliceTests {

	@Autowired
	private ApplicationContext context;

	@Autowired
	private DataSource dataSource;

	@Test
	void sliceStartsTheDataSourceAndAsyncSql() {
		assertThat(this.context.getBeanNamesForType(AsyncEngine.class)).hasSize(1);
		assertThat(this.context.getBeanNamesForType(AsyncJdbcTemplate.class)).hasSize(1);
		assertThat(this.context.getBeanNamesForType(AsyncJdbcClient.class)).hasSize(1);
		assertThat(this.context.getBeanNamesForType(ReactiveJdbcTemplate.class)).hasSize(1);
	}

	@Test
	void sliceLeavesTheApplicationsComponentsOut() {
		assertThat(this.context.getBeanNamesForType(AccountService.class)).isEmpty();
	}

	@Test
	void sliceReplacesTheConfiguredDatabaseWithAnEmbeddedOne() throws Exception {
		try (Connection connection = this.dataSource.getConnection()) {
			assertThat(connection.getMetaData().getURL()).startsWith("jdbc:h2:mem:").doesNotContain("configured");
		}
	}

	@Test
	void engineRunsOneOperationAtATimeWhateverTheProperties() {
		assertThat(this.context.getBean(AsyncEngine.class).stats().maxConcurrency()).isOne();
	}

}
