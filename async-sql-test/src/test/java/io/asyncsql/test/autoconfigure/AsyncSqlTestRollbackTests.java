package io.asyncsql.test.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.asyncsql.AsyncConnection;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcClient;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.reactor.ReactiveJdbcTemplate;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every test here inserts account 1: each passes only because the slice rolled back the
 * one before, whichever threads and transactions did the work.
 */
@AsyncSqlTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AsyncSqlTestRollbackTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final String INSERT = "insert into account (id, name) values (?, ?)";

	@Autowired
	private AsyncJdbcTemplate template;

	@Autowired
	private AsyncJdbcClient client;

	@Autowired
	private ReactiveJdbcTemplate reactive;

	@Autowired
	private AsyncEngine engine;

	@Autowired
	private JdbcTemplate jdbcTemplate;

	@Test
	@Order(1)
	void insertOnAnEngineThreadIsSeenByTheTestAndRolledBackAfterIt() {
		assertThat(this.template.update(INSERT, 1, "Dan Rydell")).succeedsWithin(WAIT).isEqualTo(1);
		assertThat(accounts()).succeedsWithin(WAIT).isEqualTo(List.of(new Account(1, "Dan Rydell")));
		// The test's own thread, blocking, sees the same uncommitted row.
		assertThat(this.jdbcTemplate.queryForObject("select count(*) from account", Integer.class)).isEqualTo(1);
	}

	@Test
	@Order(2)
	void workCommittedAcrossAsyncStepsIsRolledBackAfterTheTest() {
		CompletableFuture<Integer> renamed = this.template.inTransaction((tx) -> tx.update(INSERT, 1, "Dana Whitaker")
			.thenCompose((inserted) -> tx.update("update account set name = ? where id = ?", "Dana Rydell", 1)));
		assertThat(renamed).succeedsWithin(WAIT).isEqualTo(1);
		CompletableFuture<AsyncConnection> lane = this.engine.connect();
		CompletableFuture<Void> committed = lane.thenCompose((connection) -> connection.begin()
			.thenCompose((tx) -> connection.update(INSERT, 2, "Casey McCall").thenCompose((inserted) -> tx.commit())));
		assertThat(committed).succeedsWithin(WAIT);
		assertThat(lane.thenCompose(AsyncConnection::close)).succeedsWithin(WAIT);
		assertThat(accounts()).succeedsWithin(WAIT)
			.isEqualTo(List.of(new Account(1, "Dana Rydell"), new Account(2, "Casey McCall")));
	}

	@Test
	@Order(3)
	void transactionThatFailsInsideTheTestRollsBackOnlyItsOwnWork() {
		assertThat(this.client.sql("insert into account (id, name) values (:id, :name)")
			.param("id", 1)
			.param("name", "Jeremy Goodwin")
			.update()).succeedsWithin(WAIT).isEqualTo(1);
		CompletableFuture<Integer> failed = this.template.inTransaction((tx) -> tx.update(INSERT, 2, "Natalie Hurley")
			.thenCompose((inserted) -> tx.update(INSERT, 1, "Isaac Jaffe")));
		assertThat(failed).failsWithin(WAIT).withThrowableThat().withCauseInstanceOf(DuplicateKeyException.class);
		assertThat(accounts()).succeedsWithin(WAIT).isEqualTo(List.of(new Account(1, "Jeremy Goodwin")));
	}

	@Test
	@Order(4)
	void streamReadsTheTestsUncommittedRows() {
		assertThat(this.template.batchUpdate(INSERT, List.of(new Object[] { 1, "Dan Rydell" },
				new Object[] { 2, "Casey McCall" }, new Object[] { 3, "Dana Whitaker" })))
			.succeedsWithin(WAIT);
		StepVerifier
			.create(this.reactive.query("select name from account order by id", (rs, rowNum) -> rs.getString(1)), 1)
			.expectNext("Dan Rydell")
			.thenRequest(10)
			.expectNext("Casey McCall", "Dana Whitaker")
			.verifyComplete();
	}

	@Test
	@Order(5)
	void savepointsOfTheApplicationNestInsideTheTestsTransaction() {
		CompletableFuture<AsyncConnection> lane = this.engine.connect();
		CompletableFuture<Void> committed = lane.thenCompose((connection) -> connection.begin()
			.thenCompose((tx) -> connection.update(INSERT, 1, "Sally Sasser")
				.thenCompose((inserted) -> connection.beginNested())
				.thenCompose((nested) -> connection.update(INSERT, 2, "Elliot").thenCompose((n) -> nested.rollback()))
				.thenCompose((rolledBack) -> tx.commit())));
		assertThat(committed).succeedsWithin(WAIT);
		assertThat(lane.thenCompose(AsyncConnection::close)).succeedsWithin(WAIT);
		assertThat(accounts()).succeedsWithin(WAIT).isEqualTo(List.of(new Account(1, "Sally Sasser")));
	}

	private CompletableFuture<List<Account>> accounts() {
		return this.client.sql("select id, name from account order by id").query(Account.class).list();
	}

}
