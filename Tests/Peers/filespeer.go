// SPDX-License-Identifier: Apache-2.0
//
// A Go peer for vkcert's files mode, standard library only (Go 1.19+):
//
//	filespeer serve -cert F -key F -addr 127.0.0.1:0 [-once]
//	    A TLS server that, like InterLink's Virtual Kubelet, calls tls.LoadX509KeyPair(cert, key) inside
//	    GetCertificate on every handshake. Prints "listening PORT", answers each connection with "ok", and
//	    on SIGTERM prints "loadfailures N" (pairs that did not load: mismatched or partial). With -once the
//	    pair is loaded at start only (a plain Go TLS server, the memory baseline in Benchmarks/churn.sh).
//	filespeer load -addr HOST:PORT -ca F -stop FILE -min N
//	    New TLS connections one after another (each verifies the chain against -ca and the IP SAN, as
//	    kube-apiserver's kubelet client does) until FILE exists and at least N were made; prints JSON
//	    {"ok":…, "failed":…, "errors":[…first few…], "serials":{serial: count}}.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

func serve(args []string) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	certFile := fs.String("cert", "", "certificate file")
	keyFile := fs.String("key", "", "key file")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	once := fs.Bool("once", false, "load the pair once at start (a plain Go TLS server, for memory comparisons)")
	fs.Parse(args)
	var failures int64
	var loaded *tls.Certificate
	if *once {
		pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		loaded = &pair
	}
	config := &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			if loaded != nil {
				return loaded, nil
			}
			pair, err := tls.LoadX509KeyPair(*certFile, *keyFile)
			if err != nil {
				atomic.AddInt64(&failures, 1)
				fmt.Fprintf(os.Stderr, "LoadX509KeyPair: %v\n", err)
				return nil, err
			}
			return &pair, nil
		},
	}
	listener, err := tls.Listen("tcp", *addr, config)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening %d\n", listener.Addr().(*net.TCPAddr).Port)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		fmt.Printf("loadfailures %d\n", atomic.LoadInt64(&failures))
		os.Exit(0)
	}()
	for {
		conn, err := listener.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			tc := c.(*tls.Conn)
			if err := tc.Handshake(); err != nil {
				return
			}
			io.WriteString(tc, "ok\n")
		}(conn)
	}
}

func load(args []string) {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	addr := fs.String("addr", "", "server address")
	caFile := fs.String("ca", "", "CA bundle")
	stop := fs.String("stop", "", "stop once this file exists")
	min := fs.Int("min", 1000, "least number of connections")
	fs.Parse(args)
	pem, err := os.ReadFile(*caFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	host, _, _ := net.SplitHostPort(*addr)
	result := struct {
		OK      int            `json:"ok"`
		Failed  int            `json:"failed"`
		Errors  []string       `json:"errors"`
		Serials map[string]int `json:"serials"`
	}{Serials: map[string]int{}}
	for {
		if result.OK+result.Failed >= *min {
			if _, err := os.Stat(*stop); err == nil {
				break
			}
		}
		conn, err := tls.Dial("tcp", *addr, &tls.Config{RootCAs: roots, ServerName: host, ClientSessionCache: nil})
		if err != nil {
			result.Failed++
			if len(result.Errors) < 5 {
				result.Errors = append(result.Errors, err.Error())
			}
			continue
		}
		serial := conn.ConnectionState().PeerCertificates[0].SerialNumber.Text(16)
		io.ReadAll(conn)
		conn.Close()
		result.OK++
		result.Serials[serial]++
	}
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: filespeer serve|load …")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2:])
	case "load":
		load(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "usage: filespeer serve|load …")
		os.Exit(2)
	}
}
