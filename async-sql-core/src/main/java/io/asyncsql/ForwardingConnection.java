package io.asyncsql;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Connection} that forwards every call to another, and lets a subclass watch the
 * statements it creates.
 * <p>
 * A plain class rather than a {@link java.lang.reflect.Proxy}: the engine wraps a
 * connection for every operation, and a reflective proxy cost about a tenth of the
 * engine's CPU per point select (its creation and every {@code Method.invoke}).
 */
abstract class ForwardingConnection implements Connection {

	final Connection target;

	ForwardingConnection(Connection target) {
		this.target = target;
	}

	/**
	 * Called before each statement is created.
	 * @throws SQLException to refuse the statement
	 */
	abstract void statementRequested() throws SQLException;

	/**
	 * Called with each statement created.
	 * @param <S> the statement type
	 * @param statement the new statement
	 * @return the statement to hand out
	 * @throws SQLException if the statement cannot be handed out
	 */
	abstract <S extends Statement> S statementCreated(S statement) throws SQLException;

	@Override
	public Statement createStatement() throws SQLException {
		statementRequested();
		return statementCreated(this.target.createStatement());
	}

	@Override
	public PreparedStatement prepareStatement(String sql) throws SQLException {
		statementRequested();
		return statementCreated(this.target.prepareStatement(sql));
	}

	@Override
	public CallableStatement prepareCall(String sql) throws SQLException {
		statementRequested();
		return statementCreated(this.target.prepareCall(sql));
	}

	@Override
	public String nativeSQL(String sql) throws SQLException {
		return this.target.nativeSQL(sql);
	}

	@Override
	public void setAutoCommit(boolean autoCommit) throws SQLException {
		this.target.setAutoCommit(autoCommit);
	}

	@Override
	public boolean getAutoCommit() throws SQLException {
		return this.target.getAutoCommit();
	}

	@Override
	public void commit() throws SQLException {
		this.target.commit();
	}

	@Override
	public void rollback() throws SQLException {
		this.target.rollback();
	}

	@Override
	public boolean isClosed() throws SQLException {
		return this.target.isClosed();
	}

	@Override
	public DatabaseMetaData getMetaData() throws SQLException {
		return this.target.getMetaData();
	}

	@Override
	public void setReadOnly(boolean readOnly) throws SQLException {
		this.target.setReadOnly(readOnly);
	}

	@Override
	public boolean isReadOnly() throws SQLException {
		return this.target.isReadOnly();
	}

	@Override
	public void setCatalog(String catalog) throws SQLException {
		this.target.setCatalog(catalog);
	}

	@Override
	public @Nullable String getCatalog() throws SQLException {
		return this.target.getCatalog();
	}

	@Override
	public void setTransactionIsolation(int level) throws SQLException {
		this.target.setTransactionIsolation(level);
	}

	@Override
	public int getTransactionIsolation() throws SQLException {
		return this.target.getTransactionIsolation();
	}

	@Override
	public @Nullable SQLWarning getWarnings() throws SQLException {
		return this.target.getWarnings();
	}

	@Override
	public void clearWarnings() throws SQLException {
		this.target.clearWarnings();
	}

	@Override
	public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
		statementRequested();
		return statementCreated(this.target.createStatement(resultSetType, resultSetConcurrency));
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
			throws SQLException {
		statementRequested();
		return statementCreated(this.target.prepareStatement(sql, resultSetType, resultSetConcurrency));
	}

	@Override
	public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
		statementRequested();
		return statementCreated(this.target.prepareCall(sql, resultSetType, resultSetConcurrency));
	}

	@Override
	public Map<String, Class<?>> getTypeMap() throws SQLException {
		return this.target.getTypeMap();
	}

	@Override
	public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
		this.target.setTypeMap(map);
	}

	@Override
	public void setHoldability(int holdability) throws SQLException {
		this.target.setHoldability(holdability);
	}

	@Override
	public int getHoldability() throws SQLException {
		return this.target.getHoldability();
	}

	@Override
	public Savepoint setSavepoint() throws SQLException {
		return this.target.setSavepoint();
	}

	@Override
	public Savepoint setSavepoint(String name) throws SQLException {
		return this.target.setSavepoint(name);
	}

	@Override
	public void rollback(Savepoint savepoint) throws SQLException {
		this.target.rollback(savepoint);
	}

	@Override
	public void releaseSavepoint(Savepoint savepoint) throws SQLException {
		this.target.releaseSavepoint(savepoint);
	}

	@Override
	public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
			throws SQLException {
		statementRequested();
		return statementCreated(this.target.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
			int resultSetHoldability) throws SQLException {
		statementRequested();
		return statementCreated(
				this.target.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
	}

	@Override
	public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
			int resultSetHoldability) throws SQLException {
		statementRequested();
		return statementCreated(
				this.target.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
		statementRequested();
		return statementCreated(this.target.prepareStatement(sql, autoGeneratedKeys));
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
		statementRequested();
		return statementCreated(this.target.prepareStatement(sql, columnIndexes));
	}

	@Override
	public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
		statementRequested();
		return statementCreated(this.target.prepareStatement(sql, columnNames));
	}

	@Override
	public Clob createClob() throws SQLException {
		return this.target.createClob();
	}

	@Override
	public Blob createBlob() throws SQLException {
		return this.target.createBlob();
	}

	@Override
	public NClob createNClob() throws SQLException {
		return this.target.createNClob();
	}

	@Override
	public SQLXML createSQLXML() throws SQLException {
		return this.target.createSQLXML();
	}

	@Override
	public boolean isValid(int timeout) throws SQLException {
		return this.target.isValid(timeout);
	}

	@Override
	public void setClientInfo(String name, @Nullable String value) throws SQLClientInfoException {
		this.target.setClientInfo(name, value);
	}

	@Override
	public void setClientInfo(Properties properties) throws SQLClientInfoException {
		this.target.setClientInfo(properties);
	}

	@Override
	public @Nullable String getClientInfo(String name) throws SQLException {
		return this.target.getClientInfo(name);
	}

	@Override
	public Properties getClientInfo() throws SQLException {
		return this.target.getClientInfo();
	}

	@Override
	public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
		return this.target.createArrayOf(typeName, elements);
	}

	@Override
	public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
		return this.target.createStruct(typeName, attributes);
	}

	@Override
	public void setSchema(String schema) throws SQLException {
		this.target.setSchema(schema);
	}

	@Override
	public @Nullable String getSchema() throws SQLException {
		return this.target.getSchema();
	}

	@Override
	public void abort(Executor executor) throws SQLException {
		this.target.abort(executor);
	}

	@Override
	public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
		this.target.setNetworkTimeout(executor, milliseconds);
	}

	@Override
	public int getNetworkTimeout() throws SQLException {
		return this.target.getNetworkTimeout();
	}

	@Override
	public void beginRequest() throws SQLException {
		this.target.beginRequest();
	}

	@Override
	public void endRequest() throws SQLException {
		this.target.endRequest();
	}

	@Override
	public boolean setShardingKeyIfValid(ShardingKey shardingKey, ShardingKey superShardingKey, int timeout)
			throws SQLException {
		return this.target.setShardingKeyIfValid(shardingKey, superShardingKey, timeout);
	}

	@Override
	public boolean setShardingKeyIfValid(ShardingKey shardingKey, int timeout) throws SQLException {
		return this.target.setShardingKeyIfValid(shardingKey, timeout);
	}

	@Override
	public void setShardingKey(ShardingKey shardingKey, ShardingKey superShardingKey) throws SQLException {
		this.target.setShardingKey(shardingKey, superShardingKey);
	}

	@Override
	public void setShardingKey(ShardingKey shardingKey) throws SQLException {
		this.target.setShardingKey(shardingKey);
	}

	@Override
	public void close() throws SQLException {
		this.target.close();
	}

	@Override
	public <T> T unwrap(Class<T> iface) throws SQLException {
		return this.target.unwrap(iface);
	}

	@Override
	public boolean isWrapperFor(Class<?> iface) throws SQLException {
		return this.target.isWrapperFor(iface);
	}

}
