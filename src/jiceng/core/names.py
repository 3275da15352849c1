"""Name parts for generated people (demo and scale data), shared so both read the same."""

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
                "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱严覃武戴"
                "莫孔向汤")
MALE_CHARS = list("伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋阳峰建国志文博晨昊翔毅骏亮晖诚睿哲"
                  "航彬锋嘉铭恒远")
FEMALE_CHARS = list("芳娜敏静丽艳娟霞燕玲婷雪慧莹倩颖琳洁晶欣怡佳悦蕾萍红梅琴璐薇瑶雯璇晓月露菲岚妍思雅楠丹茜蓉馨婧")
# Names the demo gives to its search targets; generators never produce them, so a search stays unambiguous.
RESERVED_NAMES = {"张三", "李四"}
