package io.asyncsql.kotlin

import io.asyncsql.AsyncEngine
import io.asyncsql.AsyncJdbcTemplate
import io.asyncsql.AsyncSqlTransactionManager
import java.sql.Connection
import java.time.Duration
import java.util.function.Supplier
import javax.sql.DataSource
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.runTest
import org.assertj.core.api.Assertions.assertThat
import org.awaitility.Awaitility
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.params.BeforeParameterizedClassInvocation
import org.junit.jupiter.params.Parameter
import org.springframework.context.annotation.AnnotationConfigApplicationContext
import org.springframework.context.annotation.Bean
import org.springframework.context.annotation.Configuration
import org.springframework.jdbc.core.JdbcTemplate
import org.springframework.jdbc.core.RowMapper
import org.springframework.transaction.ReactiveTransactionManager
import org.springframework.transaction.annotation.EnableTransactionManagement
import org.springframework.transaction.annotation.Transactional
import org.springframework.transaction.reactive.TransactionalOperator
import org.springframework.transaction.reactive.executeAndAwait

/**
 * Spring's own coroutine transactions, `@Transactional suspend fun` and
 * `TransactionalOperator.executeAndAwait`, run on async-sql transactions of an
 * [AsyncSqlTransactionManager]: the template's suspend functions and flows called inside
 * join them, so they commit together and roll back together. Run on each [TestDatabase], in
 * a real application context.
 */
@EachDatabase
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
internal class SpringTransactionsContractTests {

	// A field, as JUnit injects no constructor of a PER_CLASS parameterised class.
	@field:Parameter
	lateinit var database: TestDatabase

	private lateinit var context: AnnotationConfigApplicationContext

	private val table = TestDatabase.uniqueTableName("tx")

	private val users: Users get() = context.getBean(Users::class.java)

	private val operator: TransactionalOperator get() = context.getBean(TransactionalOperator::class.java)

	private val template: AsyncJdbcTemplate get() = context.getBean(AsyncJdbcTemplate::class.java)

	private val marker = TestDatabase.marker("tx-cancel")

	@BeforeParameterizedClassInvocation
	fun assumeAvailable() {
		database.assumeAvailable()
	}

	@BeforeEach
	fun startContext() {
		val dataSource = database.pool("kotlin-tx", POOL_SIZE)
		JdbcTemplate(dataSource).execute("create table $table (${database.identityColumn()}," +
				" name varchar(100) not null unique)")
		context = AnnotationConfigApplicationContext()
		context.registerBean(DataSource::class.java, Supplier { dataSource })
		context.register(TransactionConfiguration::class.java)
		context.registerBean(Users::class.java, Supplier { Users(context.getBean(AsyncJdbcTemplate::class.java), table) })
		context.refresh()
	}

	@AfterEach
	fun closeContext() {
		JdbcTemplate(context.getBean(DataSource::class.java)).execute("drop table $table")
		context.close()
	}

	@Test
	fun transactionalSuspendFunctionCommitsWhenItReturns() = runTest(timeout = TIMEOUT) {
		assertThat(users.add("Dan Rydell", "Dana Whitaker")).containsExactly("Dan Rydell", "Dana Whitaker")

		assertThat(names()).containsExactly("Dan Rydell", "Dana Whitaker")
		awaitIdle()
	}

	@Test
	fun transactionalSuspendFunctionRollsBackWhenItThrows() = runTest(timeout = TIMEOUT) {
		val failure = runCatching { users.addThenFail("Dan Rydell", "Dana Whitaker") }.exceptionOrNull()

		assertThat(failure).isInstanceOf(IllegalStateException::class.java).hasMessage("changed my mind")
		assertThat(names()).isEmpty()
		awaitIdle()
	}

	@Test
	fun transactionBlockInsideTransactionalSuspendFunctionIsNestedBySavepoint() = runTest(timeout = TIMEOUT) {
		assertThat(users.addWithNestedFailure("Dan Rydell", "Dana Whitaker")).containsExactly("Dan Rydell")

		assertThat(names()).containsExactly("Dan Rydell")
		awaitIdle()
	}

	@Test
	fun executeAndAwaitCommitsWhenTheBlockReturns() = runTest(timeout = TIMEOUT) {
		val count = operator.executeAndAwait {
			template.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")
			template.updateAndAwait("insert into $table (name) values (?)", "Dana Whitaker")
			template.queryForObjectAndAwait<Int>("select count(*) from $table")
		}

		assertThat(count).isEqualTo(2)
		assertThat(names()).containsExactly("Dan Rydell", "Dana Whitaker")
		awaitIdle()
	}

	@Test
	fun executeAndAwaitRollsBackWhenTheBlockThrows() = runTest(timeout = TIMEOUT) {
		val failure = runCatching {
			operator.executeAndAwait {
				template.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")
				template.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")
			}
		}.exceptionOrNull()

		assertThat(failure).isInstanceOf(org.springframework.dao.DuplicateKeyException::class.java)
		assertThat(names()).isEmpty()
		awaitIdle()
	}

	@Test
	fun executeAndAwaitRollsBackWhenMarkedRollbackOnly() = runTest(timeout = TIMEOUT) {
		operator.executeAndAwait { status ->
			template.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")
			status.setRollbackOnly()
		}

		assertThat(names()).isEmpty()
		awaitIdle()
	}

	@Test
	fun transactionBlockInsideExecuteAndAwaitIsNestedBySavepoint() = runTest(timeout = TIMEOUT) {
		operator.executeAndAwait {
			template.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")
			template.inTransactionAndAwait { tx -> tx.updateAndAwait("insert into $table (name) values (?)", "Dana Whitaker") }
			val nested = runCatching {
				template.inTransactionAndAwait { tx ->
					tx.updateAndAwait("insert into $table (name) values (?)", "Isaac Jaffe")
					error("not this one")
				}
			}
			assertThat(nested.exceptionOrNull()).hasMessage("not this one")
		}

		assertThat(names()).containsExactly("Dan Rydell", "Dana Whitaker")
		awaitIdle()
	}

	@Test
	fun statementsOutsideAnyTransactionRunOnTheirOwn() = runTest(timeout = TIMEOUT) {
		template.updateAndAwait("insert into $table (name) values (?)", "Dan Rydell")

		assertThat(names()).containsExactly("Dan Rydell")
	}

	@Test
	fun cancellingATransactionalSuspendFunctionStopsItsStatementAndRollsItBack() {
		// A sleep watched at the server, which H2 in memory does not have.
		assumeTrue(database != TestDatabase.H2, "a running statement is watched at a database server, not on H2")
		runTest(timeout = TIMEOUT) {
			val watcher: Connection =
				database.watch(context.getBean(DataSource::class.java) as com.zaxxer.hikari.HikariDataSource)
			watcher.use {
				val call = launch(Dispatchers.Default, CoroutineStart.UNDISPATCHED) {
					users.addThenRun("Dan Rydell", database.sleepSql(60, marker))
				}
				Awaitility.await().atMost(WAIT).until({ database.busy(watcher, marker) }, { it == 1 })

				call.cancelAndJoin()

				Awaitility.await().atMost(WAIT).until({ database.busy(watcher, marker) }, { it == 0 })
				awaitIdle()
				assertThat(names()).isEmpty()
			}
		}
	}

	private suspend fun names(): List<String> =
		template.queryAndAwait("select name from $table order by id", RowMapper { rs, _ -> rs.getString(1) })

	private fun awaitIdle() {
		val engine = context.getBean(AsyncEngine::class.java)
		Awaitility.await().atMost(WAIT).untilAsserted {
			assertThat(engine.stats().active()).`as`("engine permits in use").isZero()
			assertThat(engine.stats().queued()).`as`("engine operations waiting").isZero()
		}
	}

	/**
	 * A service as an application writes it: `@Transactional suspend fun`s that call the
	 * template's suspend functions. Open, for Spring's class proxy.
	 */
	open class Users(private val template: AsyncJdbcTemplate, private val table: String) {

		@Transactional
		open suspend fun add(vararg names: String): List<String> {
			names.forEach { template.updateAndAwait("insert into $table (name) values (?)", it) }
			// A flow inside the transaction sees its uncommitted rows.
			return template.streamAsFlow("select name from $table order by id", RowMapper { rs, _ -> rs.getString(1) })
				.toList()
		}

		@Transactional
		open suspend fun addThenFail(vararg names: String) {
			names.forEach { template.updateAndAwait("insert into $table (name) values (?)", it) }
			throw IllegalStateException("changed my mind")
		}

		@Transactional
		open suspend fun addWithNestedFailure(outer: String, nested: String): List<String> {
			template.updateAndAwait("insert into $table (name) values (?)", outer)
			runCatching {
				template.inTransactionAndAwait { tx ->
					tx.updateAndAwait("insert into $table (name) values (?)", nested)
					error("not this one")
				}
			}
			return template.queryAndAwait("select name from $table order by id", RowMapper { rs, _ -> rs.getString(1) })
		}

		@Transactional
		open suspend fun addThenRun(name: String, sql: String) {
			template.updateAndAwait("insert into $table (name) values (?)", name)
			template.queryForListAndAwait(sql)
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	open class TransactionConfiguration {

		@Bean
		open fun asyncEngine(dataSource: DataSource): AsyncEngine = AsyncEngine.builder(dataSource).name("kotlin-tx").build()

		@Bean
		open fun asyncJdbcTemplate(engine: AsyncEngine) = AsyncJdbcTemplate(engine)

		@Bean
		open fun transactionManager(engine: AsyncEngine) = AsyncSqlTransactionManager(engine)

		@Bean
		open fun transactionalOperator(transactionManager: ReactiveTransactionManager): TransactionalOperator =
			TransactionalOperator.create(transactionManager)

	}

	companion object {

		const val POOL_SIZE = 4

		val TIMEOUT = 60.seconds

		val WAIT: Duration = Duration.ofSeconds(10)

	}

}
