package dev.dialtone; public final class Main { public static void main(String[] a){} }
