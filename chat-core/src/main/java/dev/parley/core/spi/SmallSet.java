package dev.parley.core.spi;

import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A thread-safe set for the few elements a connection keeps per kind (its rooms, a user's
 * connections on a node, a channel's subscribers): one element is held as itself, two or more in
 * an array copied on every change. It costs 16 bytes with one element where a
 * {@code ConcurrentHashMap.newKeySet()} costs about 200, which at tens of thousands of
 * connections per node is about a kilobyte per connection over the few sets each one has
 * (docs/PERFORMANCE.md, "Many connections on one node").
 *
 * <p>{@link #contains}, {@link #add} and {@link #remove} are linear: meant for sets of a few
 * dozen elements at most (bounded by a limit such as {@code maxRoomsPerConnection}). Reads take
 * no lock; changes are serialized on the set. Iteration is over a snapshot: it never throws
 * {@code ConcurrentModificationException}, and its {@code remove} removes the last element it
 * returned from the set. No null elements, and no arrays (an element is told from the array of
 * several by its class).
 *
 * @param <E> the element type
 */
public final class SmallSet<E> extends AbstractSet<E> {
  private static final Object[] EMPTY = {};

  /** null: empty; an {@code Object[]}: two or more elements; anything else: the one element. */
  private volatile Object items;

  /** An empty set. */
  public SmallSet() {}

  private static Object[] array(Object items) {
    if (items == null) {
      return EMPTY;
    }
    return items instanceof Object[] a ? a : new Object[] {items};
  }

  @Override
  public boolean contains(Object o) {
    Object x = items;
    if (x instanceof Object[] a) {
      return indexOf(a, o) >= 0;
    }
    return x != null && x.equals(o);
  }

  private static int indexOf(Object[] a, Object o) {
    for (int i = 0; i < a.length; i++) {
      if (a[i].equals(o)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public synchronized boolean add(E e) {
    Objects.requireNonNull(e, "e == null");
    if (e instanceof Object[]) {
      throw new IllegalArgumentException("an array cannot be an element of a SmallSet");
    }
    Object x = items;
    if (x == null) {
      items = e;
      return true;
    }
    Object[] a = array(x);
    if (indexOf(a, e) >= 0) {
      return false;
    }
    Object[] b = new Object[a.length + 1];
    System.arraycopy(a, 0, b, 0, a.length);
    b[a.length] = e;
    items = b;
    return true;
  }

  @Override
  public synchronized boolean remove(Object o) {
    Object[] a = array(items);
    int i = indexOf(a, o);
    if (i < 0) {
      return false;
    }
    if (a.length <= 2) {
      items = a.length == 1 ? null : a[1 - i];
      return true;
    }
    Object[] b = new Object[a.length - 1];
    System.arraycopy(a, 0, b, 0, i);
    System.arraycopy(a, i + 1, b, i, a.length - i - 1);
    items = b;
    return true;
  }

  @Override
  public synchronized void clear() {
    items = null;
  }

  @Override
  public int size() {
    Object x = items;
    return x == null ? 0 : x instanceof Object[] a ? a.length : 1;
  }

  @Override
  public boolean isEmpty() {
    return items == null;
  }

  @Override
  public Iterator<E> iterator() {
    Object[] snapshot = array(items);
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < snapshot.length;
      }

      @Override
      @SuppressWarnings("unchecked")
      public E next() {
        if (next >= snapshot.length) {
          throw new NoSuchElementException();
        }
        return (E) snapshot[next++];
      }

      @Override
      public void remove() {
        if (next == 0) {
          throw new IllegalStateException("next() was not called");
        }
        SmallSet.this.remove(snapshot[next - 1]);
      }
    };
  }
}
