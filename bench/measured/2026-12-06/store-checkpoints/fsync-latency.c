#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e3+t.tv_nsec/1e6;}
int cmp(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
int main(int argc,char**argv){int n=atoi(argv[2]);int fd=open(argv[1],O_CREAT|O_WRONLY,0644);char buf[20000]={1};double*l=malloc(n*sizeof(double));
for(int i=0;i<n;i++){pwrite(fd,buf,20000,(i%200)*20000);double t=now();fsync(fd);l[i]=now()-t;usleep(1000);}
qsort(l,n,sizeof(double),cmp);printf("fsync ms p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f\n",l[n/2],l[n*9/10],l[n*99/100],l[n*999/1000],l[n-1]);}
