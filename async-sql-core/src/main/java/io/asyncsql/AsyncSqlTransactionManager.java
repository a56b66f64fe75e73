package io.asyncsql;

import java.lang.ref.Cleaner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import io.asyncsql.observation.OperationKind;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionTimedOutException;
import org.springframework.transaction.UnexpectedRollbackException;
import org.springframework.transaction.reactive.AbstractReactiveTransactionManager;
import org.springframework.transaction.reactive.GenericReactiveTransaction;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import org.springframework.transaction.support.SmartTransactionObject;
import org.springframework.util.Assert;

/**
 * A Spring {@link org.springframework.transaction.ReactiveTransactionManager} whose
 * transactions run on an {@link AsyncEngine}: the reactive counterpart of Spring's
 * {@code DataSourceTransactionManager}, used by {@code @Transactional} methods returning
 * {@code Mono} or {@code Flux} and by
 * {@link org.springframework.transaction.reactive.TransactionalOperator}.
 * <p>
 * A transaction is a lane ({@link AsyncConnection}): one permit and one pooled connection
 * for its whole life, bound to the subscriber's Reactor {@code Context} through Spring's
 * reactive {@link TransactionSynchronizationManager} under the engine as key, and given
 * back on commit, rollback, error or cancellation.
 * {@link io.asyncsql.reactor.ReactiveJdbcTemplate} finds it there
 * ({@link AsyncConnectionUtils#transactionalConnection(AsyncEngine)}) and run on it; a
 * blocking {@code JdbcTemplate} on the engine's {@code DataSource} joins it when called
 * from the lane's own work.
 * <p>
 * Every {@link TransactionDefinition} setting applies: {@code REQUIRED},
 * {@code SUPPORTS}, {@code MANDATORY}, {@code NOT_SUPPORTED} and {@code NEVER} as Spring
 * defines them; {@code REQUIRES_NEW} suspends the outer transaction and takes a lane of
 * its own, so it needs a second permit while the outer one holds the first (when none
 * comes within {@code async-sql.queue.timeout} it fails with a
 * {@link QueueTimeoutException} that says so); {@code NESTED} is a savepoint on the outer
 * lane. The isolation level and read-only mode hold for the transaction and the
 * connection gets its previous ones back after it; the timeout is one deadline, starting
 * at the transaction's begin, for the wait for a connection, every statement and the
 * commit, and a transaction still open when it passes is rolled back at commit with a
 * {@link TransactionTimedOutException}.
 *
 * @since 0.1.0
 * @see AsyncConnection#begin(TransactionDefinition)
 */
public final class AsyncSqlTransactionManager extends AbstractReactiveTransactionManager {

	private static final long serialVersionUID = 1L;

	/** Reclaims the lanes of transactions dropped between their begin and their end. */
	private static final Cleaner RECLAIMER = Cleaner.create();

	private final transient AsyncJdbcTemplate template;

	/**
	 * Create a manager for transactions on the engine of the given template, whose
	 * {@code JdbcTemplate} settings the transactions' operations use.
	 * @param template the template
	 */
	public AsyncSqlTransactionManager(AsyncJdbcTemplate template) {
		Assert.notNull(template, "'template' must not be null");
		this.template = template;
	}

	/**
	 * Create a manager for transactions on the given engine.
	 * @param engine the engine
	 */
	public AsyncSqlTransactionManager(AsyncEngine engine) {
		this(new AsyncJdbcTemplate(engine));
	}

	/**
	 * Return the engine whose lanes this manager's transactions run on; it is the key
	 * under which a transaction's lane is bound.
	 * @return the engine
	 */
	public AsyncEngine getEngine() {
		return this.template.getEngine();
	}

	@Override
	protected Object doGetTransaction(TransactionSynchronizationManager synchronizationManager) {
		return new LaneTransactionObject((TransactionalLane) synchronizationManager.getResource(getEngine()));
	}

	@Override
	protected boolean isExistingTransaction(Object transaction) {
		return ((LaneTransactionObject) transaction).isTransactionActive();
	}

	@Override
	protected Mono<Void> doBegin(TransactionSynchronizationManager synchronizationManager, Object transaction,
			TransactionDefinition definition) {
		LaneTransactionObject tx = (LaneTransactionObject) transaction;
		TransactionalLane outer = tx.lane;
		if (definition.getPropagationBehavior() == TransactionDefinition.PROPAGATION_NESTED && outer != null
				&& outer.isActive()) {
			return mono(outer.connection::beginNested).doOnNext((savepoint) -> tx.savepoint = savepoint).then();
		}
		Deadline deadline = TransactionSetup.of(definition).deadline();
		return Mono.defer(() -> {
			CompletableFuture<DefaultAsyncConnection> connecting = getEngine().connect(deadline,
					this.template.jdbcTemplate, getEngine().leaks.opener(OperationKind.TRANSACTION));
			CompletableFuture<TransactionalLane> opening = connecting
				.thenCompose((connection) -> connection.begin(definition).handle((begun, failure) -> {
					if (failure != null) {
						connection.close();
						throw (failure instanceof CompletionException completion) ? completion
								: new CompletionException(failure);
					}
					return new TransactionalLane(connection, begun, deadline);
				}));
			// A subscriber that cancels while the lane opens or begins (a timeout, a
			// dispose) never gets the lane, so nothing would ever close it: stop
			// waiting for a permit, and close a lane that opens all the same.
			return Mono.fromFuture(opening, true).doOnCancel(() -> {
				connecting.cancel(false);
				opening.thenAccept((lane) -> {
					lane.released = true;
					lane.connection.close();
				});
			});
		})
			.onErrorMap(QueueTimeoutException.class, (ex) -> tx.suspendedLane ? noPermitForNewTransaction(ex) : ex)
			.doOnNext((lane) -> {
				tx.lane = lane;
				tx.newLane = true;
				bind(synchronizationManager, lane);
				RECLAIMER.register(tx, new Reclaim(lane, getEngine().getName(), this.logger));
			})
			.then();
	}

	/**
	 * Closes a lane whose transaction object became unreachable before the transaction
	 * ended. Spring's operator takes the transaction from {@code doBegin} through
	 * synchronous steps before it guards it with {@code usingWhen}; a subscriber that
	 * cancels in between drops the transaction with nobody left to end it. Nothing else
	 * can see that happen: the garbage collector can.
	 */
	private static final class Reclaim implements Runnable {

		private final TransactionalLane lane;

		private final String engineName;

		private final Log logger;

		Reclaim(TransactionalLane lane, String engineName, Log logger) {
			this.lane = lane;
			this.engineName = engineName;
			this.logger = logger;
		}

		@Override
		public void run() {
			if (!this.lane.released) {
				this.lane.released = true;
				this.logger.warn("async-sql engine '" + this.engineName + "': closing the connection of a transaction"
						+ " that its subscriber abandoned before Spring could end it (cancelled just after it began)");
				this.lane.connection.close();
			}
		}

	}

	private QueueTimeoutException noPermitForNewTransaction(QueueTimeoutException ex) {
		EngineStats stats = getEngine().stats();
		return new QueueTimeoutException("async-sql engine '" + getEngine().getName()
				+ "': a REQUIRES_NEW transaction found no free permit for its own connection while its outer "
				+ "transaction holds one (active=" + stats.active() + ", maxConcurrency=" + stats.maxConcurrency()
				+ "); when outer transactions hold every permit, their inner ones can only wait. Size "
				+ "async-sql.executor.max-concurrency (and the pool) for the outer and inner transactions that run "
				+ "at once, or use NESTED (a savepoint on the same connection). Cause: " + ex.getMessage(), ex);
	}

	@Override
	protected Mono<Object> doSuspend(TransactionSynchronizationManager synchronizationManager, Object transaction) {
		return Mono.defer(() -> {
			((LaneTransactionObject) transaction).lane = null;
			return Mono.justOrEmpty(synchronizationManager.unbindResource(getEngine()));
		});
	}

	@Override
	protected Mono<Void> doResume(TransactionSynchronizationManager synchronizationManager,
			@Nullable Object transaction, Object suspendedResources) {
		return Mono.fromRunnable(() -> bind(synchronizationManager, suspendedResources));
	}

	/**
	 * Bind a lane in place of any ended one that is still bound.
	 */
	private void bind(TransactionSynchronizationManager synchronizationManager, Object lane) {
		synchronizationManager.unbindResourceIfPossible(getEngine());
		synchronizationManager.bindResource(getEngine(), lane);
	}

	@Override
	protected Mono<Void> doCommit(TransactionSynchronizationManager synchronizationManager,
			GenericReactiveTransaction status) {
		LaneTransactionObject tx = (LaneTransactionObject) status.getTransaction();
		AsyncTransaction savepoint = tx.savepoint;
		if (savepoint != null) {
			return mono(savepoint::commit);
		}
		TransactionalLane lane = tx.requireLane();
		if (lane.rollbackOnly) {
			// Spring's blocking managers do the same for a participant's failure; the
			// reactive base class leaves it to the manager.
			return rollBackInstead(tx, lane, new UnexpectedRollbackException(
					"Transaction rolled back because a participating transaction marked it rollback-only"));
		}
		if (lane.deadline.isSet() && lane.deadline.remainingNanos() <= 0) {
			return rollBackInstead(tx, lane, new TransactionTimedOutException("async-sql transaction exceeded "
					+ lane.deadline.describe() + " before it was committed; it was rolled back"));
		}
		return ending(tx, lane.transaction.commit());
	}

	/**
	 * Follow the COMMIT or ROLLBACK of a transaction to its end, then release its lane if
	 * it opened one. Released here, not only in cleanup, because a subscriber that
	 * cancels while the transaction ends stops Spring's chain before its cleanup runs;
	 * the end itself is not cancelled (a COMMIT that was sent decides).
	 */
	private Mono<Void> ending(LaneTransactionObject tx, CompletableFuture<Void> end) {
		if (tx.newLane && tx.lane != null) {
			TransactionalLane lane = tx.lane;
			end.whenComplete((done, failure) -> {
				lane.released = true;
				lane.connection.close();
			});
		}
		return Mono.fromFuture(end, true);
	}

	private Mono<Void> rollBackInstead(LaneTransactionObject tx, TransactionalLane lane, RuntimeException failure) {
		return Mono.defer(() -> ending(tx, lane.transaction.rollback())).onErrorResume((ex) -> {
			failure.addSuppressed(ex);
			return Mono.empty();
		}).then(Mono.error(failure));
	}

	@Override
	protected Mono<Void> doRollback(TransactionSynchronizationManager synchronizationManager,
			GenericReactiveTransaction status) {
		LaneTransactionObject tx = (LaneTransactionObject) status.getTransaction();
		if (tx.savepoint != null) {
			AsyncTransaction savepoint = tx.savepoint;
			return Mono.defer(() -> savepoint.isActive() ? mono(savepoint::rollback) : Mono.empty());
		}
		AsyncTransaction target = tx.requireLane().transaction;
		return Mono
			.defer(() -> ending(tx, target.isActive() ? target.rollback() : CompletableFuture.completedFuture(null)));
	}

	@Override
	protected Mono<Void> doSetRollbackOnly(TransactionSynchronizationManager synchronizationManager,
			GenericReactiveTransaction status) {
		return Mono
			.fromRunnable(() -> ((LaneTransactionObject) status.getTransaction()).requireLane().rollbackOnly = true);
	}

	@Override
	protected Mono<Void> doCleanupAfterCompletion(TransactionSynchronizationManager synchronizationManager,
			Object transaction) {
		return Mono.defer(() -> {
			LaneTransactionObject tx = (LaneTransactionObject) transaction;
			if (tx.savepoint != null || !tx.newLane || tx.lane == null) {
				return Mono.empty();
			}
			TransactionalLane lane = tx.lane;
			// The ended lane stays bound, so that a statement still started in this
			// context (a step completing as its transaction is cancelled) finds it
			// ended and fails: unbound, it would run, and commit alone, on a
			// connection of its own. The next transaction or resumed one replaces it.
			lane.released = true;
			// close() rolls back whatever is still open and gives the permit back.
			return mono(lane.connection::close).onErrorComplete();
		});
	}

	@Override
	public String toString() {
		return "AsyncSqlTransactionManager on engine '" + getEngine().getName() + "'";
	}

	private static <T> Mono<T> mono(Supplier<? extends CompletableFuture<? extends T>> future) {
		return Mono.fromFuture(future, false);
	}

	/**
	 * What a transaction binds under its engine: its lane and the lane's outermost
	 * transaction, shared by every transaction that participates in it.
	 */
	static final class TransactionalLane {

		final AsyncConnection connection;

		final AsyncTransaction transaction;

		final Deadline deadline;

		volatile boolean rollbackOnly;

		volatile boolean released;

		TransactionalLane(AsyncConnection connection, AsyncTransaction transaction, Deadline deadline) {
			this.connection = connection;
			this.transaction = transaction;
			this.deadline = deadline;
		}

		boolean isActive() {
			return !this.released && this.transaction.isActive();
		}

	}

	/**
	 * The transaction object of one {@code getReactiveTransaction} call.
	 */
	private static final class LaneTransactionObject implements SmartTransactionObject {

		/**
		 * Whether a lane was bound when the call began: one a new lane must wait beside.
		 */
		final boolean suspendedLane;

		@Nullable TransactionalLane lane;

		boolean newLane;

		@Nullable AsyncTransaction savepoint;

		LaneTransactionObject(@Nullable TransactionalLane lane) {
			this.lane = lane;
			this.suspendedLane = lane != null && lane.isActive();
		}

		boolean isTransactionActive() {
			return this.lane != null && this.lane.isActive();
		}

		TransactionalLane requireLane() {
			Assert.state(this.lane != null, "No async-sql lane bound to this transaction");
			return this.lane;
		}

		@Override
		public boolean isRollbackOnly() {
			return this.lane != null && this.lane.rollbackOnly;
		}

		@Override
		public void flush() {
		}

	}

}
