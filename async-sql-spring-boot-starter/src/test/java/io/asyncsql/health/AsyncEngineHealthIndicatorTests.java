package io.asyncsql.health;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.AsyncEngine;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.metadata.HikariDataSourcePoolMetadata;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AsyncEngineHealthIndicator}.
 */
class AsyncEngineHealthIndicatorTests {

	private static final String URL = "jdbc:h2:mem:health-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";

	private HikariDataSource dataSource;

	@BeforeEach
	void createDataSource() {
		this.dataSource = new HikariDataSource();
		this.dataSource.setJdbcUrl(URL);
		this.dataSource.setUsername("secret-user");
		this.dataSource.setPassword("secret-password");
		this.dataSource.setMaximumPoolSize(3);
	}

	@AfterEach
	void closeDataSource() {
		this.dataSource.close();
	}

	@Test
	void healthWhenDatabaseValidatesIsUpWithEngineAndPoolFigures() {
		try (AsyncEngine engine = AsyncEngine.builder(this.dataSource).name("orders").build()) {
			Health health = indicator(engine).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("name", "orders")
				.containsEntry("maxConcurrency", 3)
				.containsEntry("queueCapacity", 10_000)
				.containsEntry("queued", 0)
				.containsEntry("saturated", false)
				.containsEntry("rejected", 0L)
				.containsEntry("leaks", 0L)
				.containsKeys("active", "completed", "failed", "cancelled", "threadMode");
			assertThat(health.getDetails().get("pool"))
				.asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.map(String.class, Object.class))
				.containsEntry("max", 3)
				.containsKeys("active", "idle");
		}
	}

	@Test
	void healthNeverShowsUrlOrCredentials() {
		try (AsyncEngine engine = AsyncEngine.builder(this.dataSource).build()) {
			String details = indicator(engine).health().getDetails().toString();
			assertThat(details).doesNotContain("jdbc:").doesNotContain("secret-user").doesNotContain("secret-password");
		}
	}

	@Test
	void healthWhenEngineIsClosedIsDown() {
		AsyncEngine engine = AsyncEngine.builder(this.dataSource).build();
		engine.close();
		Health health = indicator(engine).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("closed", true);
	}

	@Test
	void healthWhenConnectionDoesNotValidateIsDown() {
		try (AsyncEngine engine = AsyncEngine.builder(validatingAs(() -> false)).build()) {
			Health health = new AsyncEngineHealthIndicator(engine).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsKey("maxConcurrency");
		}
	}

	@Test
	void healthWhenDatabaseMessageNamesUserAndHostShowsOnlyTypeAndSqlState() {
		DataSource refusing = validatingAs(() -> {
			throw new SQLException("Access denied for user 'secret-user'@'db7.internal'", "28000");
		});
		try (AsyncEngine engine = AsyncEngine.builder(refusing).build()) {
			Health health = new AsyncEngineHealthIndicator(engine).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails().get("error")).asString()
				.startsWith("org.springframework.")
				.endsWith("(SQL state 28000)");
			assertThat(health.getDetails().toString()).doesNotContain("secret-user").doesNotContain("db7.internal");
		}
	}

	@Test
	void healthWhenDatabaseIsUnreachableIsDownWithoutUrlOrCredentials() {
		HikariDataSource unreachable = new HikariDataSource();
		unreachable.setJdbcUrl("jdbc:h2:mem:unreachable;IFEXISTS=TRUE");
		unreachable.setUsername("secret-user");
		unreachable.setPassword("secret-password");
		unreachable.setInitializationFailTimeout(-1);
		unreachable.setConnectionTimeout(250);
		try (unreachable; AsyncEngine engine = AsyncEngine.builder(unreachable).build()) {
			Health health = new AsyncEngineHealthIndicator(engine, null, Duration.ofSeconds(10)).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).containsKey("error");
			assertThat(health.getDetails().toString()).doesNotContain("jdbc:")
				.doesNotContain("secret-user")
				.doesNotContain("secret-password");
		}
	}

	private DataSource validatingAs(Callable<Boolean> isValid) {
		return new DelegatingDataSource(this.dataSource) {

			@Override
			public Connection getConnection() throws SQLException {
				Connection connection = super.getConnection();
				return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
						new Class<?>[] { Connection.class }, (proxy, method, args) -> method.getName().equals("isValid")
								? isValid.call() : method.invoke(connection, args));
			}

		};
	}

	private AsyncEngineHealthIndicator indicator(AsyncEngine engine) {
		return new AsyncEngineHealthIndicator(engine,
				(dataSource) -> new HikariDataSourcePoolMetadata((HikariDataSource) dataSource),
				Duration.ofSeconds(10));
	}

}
